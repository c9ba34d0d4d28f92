/**
 * 德益联盟 · 积分超市: merchants enrolled by towns and counties, their offers, one-time codes
 * shown at the till, two-phase redemption (hold, confirm, void), reversal and the monthly
 * statement.
 */
@NullMarked
package org.jifen.api.merchants;

import org.jspecify.annotations.NullMarked;
