/**
 * Cross-cutting HTTP concerns: problem details, request ids, idempotency, paging and the
 * API document.
 */
package org.jifen.api.web;
