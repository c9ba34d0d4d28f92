package org.jifen.api.identity;

import org.jspecify.annotations.Nullable;

import org.jifen.api.village.MemberId;

/** A user who signs in as a member, and a WeChat openid of theirs if one is bound. */
public record MemberUser(long userId, MemberId memberId, @Nullable String openid) {
}
