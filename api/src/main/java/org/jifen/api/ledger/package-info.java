/**
 * The points ledger, the truth of every point: point kinds, accounts with score and
 * available, a double-entry journal whose transactions sum to zero, hash-chained per
 * village so that published history cannot be rewritten unnoticed. Other features post
 * through {@link org.jifen.api.ledger.Ledger}.
 */
package org.jifen.api.ledger;
