/**
 * Small pieces every feature shares and that know nothing of HTTP: the domain exception
 * type that rule code uses to refuse.
 */
package org.jifen.api.shared;
