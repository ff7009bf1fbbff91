package io.vigie.server.auth;

import java.util.Locale;

/** What an API key may do. {@link #ADMIN} may do everything. */
public enum Role {
    /** Score events. */
    PREDICT,
    /** Post labels and labelled events. */
    LABEL,
    /** Read models, predictions, versions and drifts. */
    READ,
    /** Create and delete models and keys, snapshot, roll back; implies every other role. */
    ADMIN;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named in JSON, or null. */
    public static Role parse(String code) {
        for (Role role : values()) {
            if (role.code().equals(code)) {
                return role;
            }
        }
        return null;
    }
}
