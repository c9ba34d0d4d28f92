/**
 * The audit trail over HTTP.
 */
package org.jifen.api.audit.web;
