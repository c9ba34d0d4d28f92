/**
 * Volunteer order-taking (点单 · 派单 · 接单): needs posted with their reward in escrow,
 * grabbed or dispatched slot by slot, completed, confirmed and paid from escrow.
 */
@NullMarked
package org.jifen.api.tasks;

import org.jspecify.annotations.NullMarked;
