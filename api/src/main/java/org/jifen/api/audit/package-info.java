/**
 * The audit trail: every admin change, who made it (and for whom), where, when, before
 * and after. Written in the same transaction as the change; read by supervisors and
 * admins of the region.
 */
package org.jifen.api.audit;
