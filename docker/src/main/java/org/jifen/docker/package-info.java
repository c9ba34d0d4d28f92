/**
 * What the container image adds to the application: its health check.
 */
package org.jifen.docker;
