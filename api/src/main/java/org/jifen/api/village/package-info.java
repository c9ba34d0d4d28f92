/**
 * Regions (county, town, village, group), households and their members. Other features
 * reach it through {@link org.jifen.api.village.Villages}.
 */
package org.jifen.api.village;
