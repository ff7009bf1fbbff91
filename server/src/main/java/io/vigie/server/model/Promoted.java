package io.vigie.server.model;

/** A promotion: the challenger now champion, the version holding the former champion, the version after. */
public record Promoted(String challenger, long formerChampion, long version) {
}
