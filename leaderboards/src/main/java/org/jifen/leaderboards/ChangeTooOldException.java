package org.jifen.leaderboards;

/**
 * A change is older than the window in which a board remembers the changes it applied, so
 * the board cannot tell whether it applied it before. The board refuses it rather than
 * risk counting it twice; the caller rebuilds the board from the ledger instead.
 */
public class ChangeTooOldException extends IllegalStateException {

	public ChangeTooOldException(String message) {
		super(message);
	}

}
