/**
 * Who is calling and what they may touch: mini-program and staff login, our own signed
 * tokens (or an external OIDC issuer), roles granted per region or merchant, and the
 * checks every endpoint makes through {@link org.jifen.api.identity.Access}.
 */
package org.jifen.api.identity;
