/**
 * The public award workflow: a claim is submitted, reviewed, published for objection (公示)
 * and only then posted to the ledger; a deduction first gives the household a chance to
 * rectify.
 */
package org.jifen.api.claims;
