package io.kvstore.client;

import java.util.ArrayList;
import java.util.List;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Waiting versions of {@link KvClient}'s methods, for scripts and command-line tools. They return
 * the node's answer or throw the {@link KvException} (such as {@link KvTimeoutException}) that
 * failed the request, unwrapped.
 */
public final class BlockingKvClient {
  private final KvClient client;
  private final UdpExchange exchange;

  BlockingKvClient(KvClient client, UdpExchange exchange) {
    this.client = client;
    this.exchange = exchange;
  }

  public KvResult put(byte[] key, byte[] value) {
    return await(client.put(key, value));
  }

  public KvResult get(byte[] key) {
    return await(client.get(key));
  }

  public KvResult remove(byte[] key) {
    return await(client.remove(key));
  }

  public KvResult isAlive() {
    return await(client.isAlive());
  }

  public KvResult getPid() {
    return await(client.getPid());
  }

  public KvResult membershipCount() {
    return await(client.membershipCount());
  }

  public KvResult shutdown() {
    return await(client.shutdown());
  }

  /** One page of the node's membership view, from member {@code from} on. */
  public MemberList memberPage(int from) {
    KvResult page = await(client.listMembers(from));
    if (!page.isSuccess()) {
      throw new KvException("the node answered LIST_MEMBERS with " + page.describeCode());
    }
    return MemberList.parse(page.value());
  }

  /**
   * Members listed at most by {@link #listAllMembers()}: a node keeps at most 100,000 besides
   * itself, and a reply claiming a total of billions must not keep the caller paging and growing.
   */
  public static final int MOST_MEMBERS_LISTED = 100_001;

  /** The node's whole membership view, page by page, at most {@link #MOST_MEMBERS_LISTED}. */
  public List<MemberList.Entry> listAllMembers() {
    return listAllMembers(MOST_MEMBERS_LISTED);
  }

  /** The node's membership view, page by page, stopping once {@code atMost} members are listed. */
  public List<MemberList.Entry> listAllMembers(int atMost) {
    return listAllMembers(atMost, null);
  }

  /**
   * The same, within {@code budget} in all (null: no limit): a node that answers one member per
   * page just before each timeout cannot hold the caller for hours.
   *
   * @throws KvException if the listing is not complete within the budget
   */
  public List<MemberList.Entry> listAllMembers(int atMost, java.time.Duration budget) {
    long deadline = budget == null ? 0 : System.nanoTime() + budget.toNanos();
    List<MemberList.Entry> all = new ArrayList<>();
    while (all.size() < atMost) {
      if (budget != null && System.nanoTime() - deadline > 0) {
        throw new KvException("the member list was not complete within " + budget.toMillis()
            + " ms (" + all.size() + " members listed)");
      }
      MemberList list = memberPage(all.size());
      List<MemberList.Entry> page = list.members();
      all.addAll(page.subList(0, Math.min(page.size(), atMost - all.size())));
      if (page.isEmpty() || all.size() >= list.total()) {
        break;
      }
    }
    return all;
  }

  /** See {@link KvClient#submitOperation}. */
  public KvResult submitOperation(byte[] opId, byte[] operation) {
    return await(client.submitOperation(opId, operation));
  }

  public KvResult wipeout() {
    return await(client.wipeout());
  }

  private KvResult await(CompletableFuture<KvResult> future) {
    if (exchange.isReceiverThread()) {
      // The reply this call waits for could only be read by the thread it blocks.
      future.cancel(false);
      throw new IllegalStateException(
          "a blocking call inside a callback of the same client would wait forever; use the"
              + " asynchronous methods there, or pass an executor to the dependent stage");
    }
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(false);
      throw new KvException("interrupted while waiting for " + exchange.node(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new KvException(cause.toString(), cause);
    }
  }
}
