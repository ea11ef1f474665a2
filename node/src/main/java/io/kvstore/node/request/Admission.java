package io.kvstore.node.request;

import io.kvstore.node.sources.SourceAllowList;
import io.kvstore.protocol.ResponseCode;

/**
 * Who may have a request executed, decided before anything is executed or queued: admin commands
 * (SHUTDOWN, WIPEOUT) only from the admin allow-list. Per-source checks belong here as well (a
 * client allow-list, a per-source reply budget): they see the request's source key, command and
 * size and answer with a code instead of executing. Overload (a full queue) is decided by the
 * pipeline, which owns the queue. Not thread-safe: one per pipeline.
 */
final class Admission {
  private final SourceAllowList adminAllowList;
  private final RequestStats stats;

  Admission(SourceAllowList adminAllowList, RequestStats stats) {
    this.adminAllowList = adminAllowList;
    this.stats = stats;
  }

  /** Null if {@code request} may run; otherwise the code to answer it with (and it is counted). */
  ResponseCode refusal(ClientRequest request) {
    if (request.command().isAdmin() && !adminAllowList.permits(request.source().getAddress())) {
      stats.notPermitted.increment();
      return ResponseCode.NOT_PERMITTED;
    }
    return null;
  }
}
