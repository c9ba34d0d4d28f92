/**
 * The embedded default: real PostgreSQL and Redis servers started in-process when none is
 * configured, so that the API runs on a fresh machine with one command.
 */
package org.jifen.api.embedded;
