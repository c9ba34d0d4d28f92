package org.jifen.leaderboards;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BoardKeyTests {

	@Test
	void keepsEveryKeyOfABoardInOneHashSlot() {
		BoardKey board = BoardKey.of("town:370302101", "2026-11", "conduct");
		String tag = "{town:370302101|2026-11|conduct}";
		assertThat(board.redisKey()).isEqualTo("jifen:board:" + tag);
		assertThat(board.appliedChangesKey()).contains(tag);
		assertThat(board.rebuildKey("b1")).contains(tag);
		assertThat(hashTag(board.appliedChangesKey())).isEqualTo(hashTag(board.redisKey()));
		assertThat(hashTag(board.rebuildKey("b1"))).isEqualTo(hashTag(board.redisKey()));
	}

	@Test
	void tellsACategoryBoardFromTheWholeKind() {
		BoardKey whole = BoardKey.of("v1", "all", "conduct");
		BoardKey category = whole.withCategory("good-deeds");
		assertThat(category.redisKey()).isNotEqualTo(whole.redisKey())
			.isEqualTo("jifen:board:{v1|all|conduct|good-deeds}");
	}

	@Test
	void refusesPartsThatWouldBreakTheHashTag() {
		assertThatIllegalArgumentException().isThrownBy(() -> BoardKey.of("v{1}", "all", "conduct"));
		assertThatIllegalArgumentException().isThrownBy(() -> BoardKey.of("v1", "all}", "conduct"));
		assertThatIllegalArgumentException().isThrownBy(() -> BoardKey.of("v1", "all", "con|duct"));
		assertThatIllegalArgumentException().isThrownBy(() -> BoardKey.of("v1", " ", "conduct"));
		assertThatIllegalArgumentException().isThrownBy(() -> BoardKey.of("v1", "all", "conduct").withCategory(""));
	}

	/** What Redis Cluster hashes: the text between the first '{' and the next '}'. */
	private static String hashTag(String key) {
		int open = key.indexOf('{');
		return key.substring(open + 1, key.indexOf('}', open));
	}

}
