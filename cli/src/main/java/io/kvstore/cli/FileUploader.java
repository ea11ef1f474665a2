package io.kvstore.cli;

import io.kvstore.client.KvResult;
import io.kvstore.node.ops.files.FileFrames;
import io.kvstore.node.ops.files.FileManifest;
import io.kvstore.node.ops.files.FileOpId;
import io.kvstore.node.ops.files.UploadIntake;
import io.kvstore.protocol.ResponseCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;
import java.util.function.LongConsumer;

/**
 * The CLI's side of a push: every piece of the chunk-hash list, then of every chunk, as OPS_CHUNK
 * requests to the origin node, at most {@code window} unanswered at once. Reads the file one chunk
 * at a time (memory: one chunk, whatever the file size). A piece answered 0x03 (the node is busy)
 * or 0x01 (the operation has not reached the transfer yet) is sent again after a pause, for up to
 * 2 s; any other refusal ends the upload with the node's reason.
 */
public final class FileUploader {
  /** The upload was refused: the message says why (the node's reason when it gave one). */
  public static final class UploadException extends Exception {
    public UploadException(String message) {
      super(message);
    }
  }

  private record InFlight(UploadIntake.PieceKey key, byte[] piece, CompletableFuture<KvResult> reply) {}

  private static final int BUSY_RETRIES = 200;
  private final BiFunction<byte[], byte[], CompletableFuture<KvResult>> send;
  private final int window;
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
  private long bytesSent;

  /** @param send one OPS_CHUNK (key, piece) to the origin node */
  public FileUploader(BiFunction<byte[], byte[], CompletableFuture<KvResult>> send, int window) {
    this.send = send;
    this.window = window;
  }

  /** Uploads {@code file}'s list and chunks; {@code progress} hears the bytes of the file sent. */
  public void upload(FileOpId op, FileManifest manifest, byte[] chunkHashes, Path file, LongConsumer progress)
      throws IOException, UploadException, InterruptedException {
    sendChunk(op, FileFrames.LIST, chunkHashes, chunkHashes.length);
    drain();
    byte[] buffer = new byte[manifest.chunkSize()];
    try (InputStream in = Files.newInputStream(file)) {
      for (int i = 0; i < manifest.chunkCount(); i++) {
        int length = manifest.chunkLength(i);
        if (in.readNBytes(buffer, 0, length) != length) {
          throw new IOException(file + " changed while it was uploaded");
        }
        // Pieces keep a copy of their bytes for resending, so the buffer can be refilled now.
        sendChunk(op, i, buffer, length);
        progress.accept(Math.min(bytesSent, manifest.size()));
      }
    }
    drain();
    progress.accept(manifest.size());
  }

  private void sendChunk(FileOpId op, int index, byte[] data, int length)
      throws UploadException, InterruptedException {
    for (int offset = 0; offset < length; offset += FileFrames.MAX_PIECE) {
      byte[] piece = Arrays.copyOfRange(data, offset, Math.min(length, offset + FileFrames.MAX_PIECE));
      while (inFlight.size() >= window) {
        awaitOldest();
      }
      UploadIntake.PieceKey key = new UploadIntake.PieceKey(op, index, offset);
      inFlight.add(new InFlight(key, piece, send.apply(key.encode(), piece)));
      if (index != FileFrames.LIST) {
        bytesSent += piece.length;
      }
    }
  }

  private void drain() throws UploadException, InterruptedException {
    while (!inFlight.isEmpty()) {
      awaitOldest();
    }
  }

  private void awaitOldest() throws UploadException, InterruptedException {
    InFlight f = inFlight.poll();
    KvResult result = await(f.reply);
    // 0x03: the node is busy. 0x01: it does not hold the operation yet (the submission is still
    // on its way to the transfer's thread): both pass.
    for (int busy = 0; (result.code() == ResponseCode.OVERLOAD.code || result.code() == ResponseCode.NOT_FOUND.code)
        && busy < BUSY_RETRIES; busy++) {
      Thread.sleep(10);
      result = await(send.apply(f.key.encode(), f.piece));
    }
    if (!result.isSuccess()) {
      String reason = result.value() == null || result.value().length == 0
          ? result.describeCode() : new String(result.value(), StandardCharsets.UTF_8);
      String what = f.key.chunk() == FileFrames.LIST ? "the chunk-hash list" : "chunk " + f.key.chunk();
      throw new UploadException("the node refused " + what + ": " + reason);
    }
  }

  private static KvResult await(CompletableFuture<KvResult> reply) throws UploadException, InterruptedException {
    try {
      return reply.get();
    } catch (ExecutionException e) {
      throw new UploadException("upload failed: " + e.getCause().getMessage());
    }
  }
}
