package org.jifen.api.demo;

import java.util.List;
import java.util.Random;

/** A deed the demo scores, with what happened. */
record DemoClaim(String code, String description) {

	private static final List<DemoClaim> DEEDS = List.of(new DemoClaim("qin-01", "参加冬季扫雪清路"),
			new DemoClaim("shan-01", "为孤寡老人送餐、打扫卫生"), new DemoClaim("xiao-01", "被评为和睦家庭"),
			new DemoClaim("mei-05", "庭院整洁，门前三包到位"), new DemoClaim("shan-05", "为长者食堂捐款"),
			new DemoClaim("jian-01", "丧事简办，不大操大办"), new DemoClaim("mei-03", "参加村广场舞比赛"),
			new DemoClaim("qin-04", "汛期参加抢险"), new DemoClaim("mei-k1", "门前堆放秸秆，逾期未整改"));

	static DemoClaim pick(Random random) {
		return DEEDS.get(random.nextInt(DEEDS.size()));
	}

}
