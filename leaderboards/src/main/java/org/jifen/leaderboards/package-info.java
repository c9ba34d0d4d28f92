/**
 * Boards on Redis sorted sets through Lettuce; knows nothing about villages.
 *
 * <p>
 * {@link org.jifen.leaderboards.Leaderboards} is the one entry point; boards are named by
 * the caller with a {@link org.jifen.leaderboards.BoardKey} and members are opaque
 * strings. {@link org.jifen.leaderboards.ScoreEncoding} says how points and tie-breaking
 * times share a score, and within which bounds.
 */
package org.jifen.leaderboards;
