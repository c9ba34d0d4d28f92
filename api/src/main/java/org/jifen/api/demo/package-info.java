/**
 * The demo village loaded on the embedded default, so that a newcomer sees real data at
 * once. Each feature adds its part here, through the features' public services.
 */
package org.jifen.api.demo;
