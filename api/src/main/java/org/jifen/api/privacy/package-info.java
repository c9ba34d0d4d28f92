/**
 * Personal data at rest: phone and ID numbers sealed with AES-GCM, with a keyed hash for
 * exact look-ups, and the masked forms shown in lists.
 */
package org.jifen.api.privacy;
