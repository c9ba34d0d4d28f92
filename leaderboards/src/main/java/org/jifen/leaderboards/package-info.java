/**
 * Boards on Redis sorted sets through Lettuce; knows nothing about villages.
 */
package org.jifen.leaderboards;
