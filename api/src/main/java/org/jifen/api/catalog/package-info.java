/**
 * A village's scoring catalog: what earns and what costs points, versioned so that every
 * claim points at the rule it was scored under.
 */
package org.jifen.api.catalog;
