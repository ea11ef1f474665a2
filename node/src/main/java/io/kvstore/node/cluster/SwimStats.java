package io.kvstore.node.cluster;

/** Counters of one node's membership protocol (read by monitoring and the simulator). */
public final class SwimStats {
  long probes;
  long failedProbes;
  long directRetries;
  long suspicionsRaised;
  long refutations;
  long declaredDead;
  long malformed;
  long rejectedUpdates;
  long admissionProbes;
  long admitted;
  long admissionsFailed;
  long admissionsRateLimited;
  long admissionsDeferred;
  long pendingFull;
  long tableFull;
  long relaysRefused;

  /** A copy, for publishing to other threads (the fields are written on the membership thread). */
  public SwimStats copy() {
    SwimStats c = new SwimStats();
    c.probes = probes;
    c.failedProbes = failedProbes;
    c.directRetries = directRetries;
    c.suspicionsRaised = suspicionsRaised;
    c.refutations = refutations;
    c.declaredDead = declaredDead;
    c.malformed = malformed;
    c.rejectedUpdates = rejectedUpdates;
    c.admissionProbes = admissionProbes;
    c.admitted = admitted;
    c.admissionsFailed = admissionsFailed;
    c.admissionsRateLimited = admissionsRateLimited;
    c.admissionsDeferred = admissionsDeferred;
    c.pendingFull = pendingFull;
    c.tableFull = tableFull;
    c.relaysRefused = relaysRefused;
    return c;
  }

  public long probes() {
    return probes;
  }

  public long failedProbes() {
    return failedProbes;
  }

  /** Probes not acked within the probe timeout, pinged directly once more beside the indirect probes. */
  public long directRetries() {
    return directRetries;
  }

  public long suspicionsRaised() {
    return suspicionsRaised;
  }

  /** Times this node raised its incarnation to refute a suspicion about itself. */
  public long refutations() {
    return refutations;
  }

  /** Members this node itself declared dead when their suspicion timed out. */
  public long declaredDead() {
    return declaredDead;
  }

  public long malformed() {
    return malformed;
  }

  /** Updates that failed a sanity check (forged or implausible). */
  public long rejectedUpdates() {
    return rejectedUpdates;
  }

  /** Direct probes sent to candidates before admitting them. */
  public long admissionProbes() {
    return admissionProbes;
  }

  /** Members added to the view (or brought back to life) after answering their probe. */
  public long admitted() {
    return admitted;
  }

  /** Candidates that did not answer their admission probe in time, or answered as someone else. */
  public long admissionsFailed() {
    return admissionsFailed;
  }

  /** Claims that found no token or no room and waited for their turn (probed later if still needed). */
  public long admissionsDeferred() {
    return admissionsDeferred;
  }

  /** Candidates not probed because admissions were over their rate (and the deferred claims full). */
  public long admissionsRateLimited() {
    return admissionsRateLimited;
  }

  /** Candidates not probed because the pending-admission table was full (and the deferred claims too). */
  public long pendingFull() {
    return pendingFull;
  }

  /** Members not added because the member table was full. */
  public long tableFull() {
    return tableFull;
  }

  /** Indirect probes refused: too many at once, or a target we do not know at that address. */
  public long relaysRefused() {
    return relaysRefused;
  }
}
