/**
 * Boards (rankings) of households per village, town and county, per period and kind, kept
 * live in Redis from ledger events and rebuilt from the ledger, which stays the truth.
 * Other features reach it through {@link org.jifen.api.boards.Boards}.
 */
package org.jifen.api.boards;
