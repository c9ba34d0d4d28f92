/**
 * Test support: the real services and the base of every integration test.
 */
package org.jifen.api.support;
