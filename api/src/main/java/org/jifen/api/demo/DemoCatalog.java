package org.jifen.api.demo;

import java.util.List;

import org.jifen.api.catalog.CatalogItem;
import org.jifen.api.catalog.CatalogItemDraft;

/**
 * The demo's scoring catalog: the 25 items of 寨里镇's 2023 美德信用积分 standard (4 points each,
 * 5 for emergency work, scored once a quarter), sorted into 孝 善 信 勤 俭 美, plus two
 * deductions a village commonly lists.
 */
final class DemoCatalog {

	private DemoCatalog() {
	}

	static final List<CatalogItemDraft> ITEMS = List.of(item("xin-01", "听党话感党恩跟党走，学习宣传理论政策", "信", 4),
			item("xin-02", "支持村居集体决策，维护集体利益", "信", 4), item("qin-01", "义务参加村庄文明创建、植树、扫雪、环境清理", "勤", 4),
			item("jian-01", "遵守一约四会，移风易俗，婚事新办丧事简办", "俭", 4), item("xiao-01", "注重家风家教，家庭邻里和睦", "孝", 4),
			item("mei-01", "积极参加新时代文明实践活动", "美", 4), item("qin-02", "参与新时代文明实践站建设和维护", "勤", 4),
			item("shan-01", "参加志愿服务，为老为小为困难群体服务", "善", 4), item("shan-02", "爱心奉献，热心助人，尊老爱幼", "善", 4),
			item("jian-02", "勤俭节约，光盘行动，文明养犬", "俭", 4), item("xin-03", "弘扬正能量，不信谣不传谣，远离黄赌毒", "信", 4),
			item("mei-02", "参加书香村居建设，多读书读好书", "美", 4), item("mei-03", "积极参加村居文体活动", "美", 4),
			item("mei-04", "代表村居参加文体活动并获奖", "美", 4), item("mei-05", "家庭庭院门前干净整洁，维护村居环境", "美", 4),
			item("xin-04", "商户依法诚信规范安全卫生经营", "信", 4), item("xin-05", "遵守信访条例，维护和谐稳定", "信", 4),
			item("shan-03", "参加义务调解，化解矛盾纠纷", "善", 4), item("shan-04", "见义勇为，同不良风气作斗争", "善", 4),
			item("xin-06", "举报或劝阻违章建设、假冒伪劣、邪教活动", "信", 4), item("qin-03", "维护生产生活安全，消防通道畅通", "勤", 4),
			item("qin-04", "参与平安建设，抢险救灾应急行动", "勤", 5), item("shan-05", "捐款捐物支持村级公益事业", "善", 4),
			item("qin-05", "帮助村集体增收、村民致富", "勤", 4), item("xin-07", "获得区级以上荣誉表彰", "信", 4),
			// The demo records deductions without photos; a village would usually require
			// evidence.
			new CatalogItemDraft("mei-k1", "乱堆乱放、私搭乱建（整改逾期）", "美", -5, null, null, false, null, null),
			new CatalogItemDraft("xiao-k1", "不赡养老人，经调解仍不改正", "孝", -10, null, null, false, null, null));

	private static CatalogItemDraft item(String code, String name, String category, int points) {
		return new CatalogItemDraft(code, name, category, points, points, CatalogItem.CapPeriod.QUARTER, false, null,
				null);
	}

}
