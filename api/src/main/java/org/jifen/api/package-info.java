/**
 * The deployable application. Each sub-package is one feature; a feature talks to another
 * only through the other's public service.
 */
package org.jifen.api;
