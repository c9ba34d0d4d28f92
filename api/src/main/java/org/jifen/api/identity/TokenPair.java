package org.jifen.api.identity;

/**
 * What a sign-in returns: a short-lived access token and a refresh token that is rotated
 * on every use.
 */
record TokenPair(String accessToken, long expiresIn, String refreshToken, long refreshExpiresIn) {
}
