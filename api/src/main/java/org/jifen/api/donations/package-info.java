/**
 * 爱心捐赠: villagers give available points to neighbours in need, within the village's
 * policy, and supervisors see the patterns that look like collusion.
 */
@NullMarked
package org.jifen.api.donations;

import org.jspecify.annotations.NullMarked;
