package org.jifen.api.identity;

import org.jspecify.annotations.Nullable;

import org.jifen.api.village.MemberId;

/**
 * A user who is told of events: a villager who signs in as a member (or staff, without a
 * member), and a WeChat openid of theirs if one is bound.
 */
public record MemberUser(long userId, @Nullable MemberId memberId, @Nullable String openid) {
}
