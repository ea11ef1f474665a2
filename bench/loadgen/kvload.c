/*
 * kvload: a native UDP load generator for KVStore and memcached that costs the machine little,
 * so that a benchmark on a shared 2-core box measures the server rather than the client.
 *
 * One connected socket per thread (1-2 threads), requests and replies moved in batches with
 * sendmmsg/recvmmsg, every buffer allocated before the run. Closed loop (a window of requests in
 * flight) or open loop (a fixed arrival rate; latency is taken from each request's scheduled send
 * time, so a slow server cannot hide its queueing: no coordinated omission). At most once inside a
 * measurement: a request unanswered after the timeout is counted and its slot reused, never
 * retried. Latency percentiles come from a log-linear histogram (256 sub-buckets per power of two:
 * a recorded value is off by at most 0.4%). The generator's own CPU per completed request
 * (getrusage user+sys) is reported in the progress lines and the JSON result.
 *
 * Build: gcc -O2 -std=c11 -pthread -o kvload kvload.c   (bench/run-vs-memcached.sh does this)
 * Run:   kvload --help
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_WINDOW 4096
#define MAX_VALUE 1200 /* one datagram for memcached's reply, too */
#define REQ_MAX (64 + MAX_VALUE)
#define REPLY_MAX 2048
#define VALUES 16
#define KEY_BYTES 32
#define HIST_SUB_BITS 8
#define HIST_SUB (1 << HIST_SUB_BITS)
#define HIST_SIZE ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

enum protocol { KVSTORE, MEMCACHED };
enum outcome { OUT_OK, OUT_MISS, OUT_ERROR };

/* ---------- time ---------- */

static inline int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* ---------- histogram: log-linear, HdrHistogram-like ---------- */

typedef struct {
  uint64_t counts[HIST_SIZE];
  uint64_t total;
  uint64_t max;
  double sum;
} histogram;

static inline int hist_index(uint64_t v) {
  if (v < HIST_SUB) return (int)v;
  int msb = 63 - __builtin_clzll(v);
  int shift = msb - (HIST_SUB_BITS - 1);
  return shift * (HIST_SUB / 2) + (int)(v >> shift);
}

/* The middle of the bucket at index i (exact below HIST_SUB). */
static double hist_value(int i) {
  if (i < HIST_SUB) return i;
  int shift = (i - HIST_SUB / 2) / (HIST_SUB / 2);
  uint64_t mant = (uint64_t)(i - shift * (HIST_SUB / 2));
  while (mant >= HIST_SUB) { /* normalise (never loops for indexes hist_index makes) */
    mant >>= 1;
    shift++;
  }
  double low = (double)(mant << shift);
  return low + ((double)(1ULL << shift) - 1) / 2.0;
}

static inline void hist_record(histogram *h, int64_t v) {
  if (v < 0) v = 0;
  h->counts[hist_index((uint64_t)v)]++;
  h->total++;
  h->sum += (double)v;
  if ((uint64_t)v > h->max) h->max = (uint64_t)v;
}

static void hist_add(histogram *to, const histogram *from) {
  for (int i = 0; i < HIST_SIZE; i++) to->counts[i] += from->counts[i];
  to->total += from->total;
  to->sum += from->sum;
  if (from->max > to->max) to->max = from->max;
}

static double hist_percentile(const histogram *h, double p) {
  if (h->total == 0) return 0;
  uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->total);
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (int i = 0; i < HIST_SIZE; i++) {
    seen += h->counts[i];
    if (seen >= rank) {
      double v = hist_value(i);
      return v > (double)h->max ? (double)h->max : v;
    }
  }
  return (double)h->max;
}

/* ---------- keys and values ---------- */

static uint64_t splitmix(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* Key i: 32 bytes from a splitmix64 stream seeded with i; memcached gets them as 64 hex chars. */
static void make_key(uint32_t i, uint8_t out[KEY_BYTES]) {
  uint64_t s = 0x6B76737464ULL ^ ((uint64_t)i << 20);
  for (int w = 0; w < 4; w++) {
    uint64_t r = splitmix(&s);
    memcpy(out + 8 * w, &r, 8);
  }
}

static void to_hex(const uint8_t *in, int n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
}

/* ---------- configuration ---------- */

typedef struct {
  enum protocol protocol;
  const char *host;
  int port;
  int get; /* 1: GET workload, 0: PUT */
  int value_size;
  int keys;
  int window;
  int threads;
  double duration;
  double warmup;
  double rate; /* open loop: requests per second in all; 0: closed loop */
  double timeout;
  int preload;
  int gso;
  const char *slow_log; /* measured requests at least slow_us late: "sent_ns latency_ns" lines */
  double slow_us;
} config;

static config cfg = {KVSTORE, "127.0.0.1", 4000, 1, 100, 10000, 32, 1, 10, 3, 0, 1.0, -1, 1,
                     NULL, 200};
/* Bounded: at most this many slow requests per thread are kept for --slow-log (16 MB each). */
#define SLOW_MAX (1 << 20)

/* Shared, read-only during the run. */
static uint8_t (*key_bytes)[KEY_BYTES];
static char (*key_hex)[2 * KEY_BYTES];
static uint8_t values[VALUES][MAX_VALUE];

/* ---------- codecs ---------- */

/* KVStore request id: local IPv4 (4), port (2, LE), slot (2, LE), tag (8, LE): unique per socket. */
static int kv_encode(uint8_t *out, const uint8_t id_prefix[6], uint16_t slot, uint64_t tag,
                     int get, const uint8_t *key, const uint8_t *value, int value_size) {
  memcpy(out, id_prefix, 6);
  out[6] = (uint8_t)slot;
  out[7] = (uint8_t)(slot >> 8);
  for (int b = 0; b < 8; b++) out[8 + b] = (uint8_t)(tag >> (8 * b));
  out[16] = get ? 0x02 : 0x01;
  memcpy(out + 17, key, KEY_BYTES);
  if (get) return 17 + KEY_BYTES;
  out[49] = (uint8_t)value_size;
  out[50] = (uint8_t)(value_size >> 8);
  memcpy(out + 51, value, (size_t)value_size);
  return 51 + value_size;
}

/* Which request a KVStore reply answers; returns 0 if too short to say. */
static int kv_header(const uint8_t *r, int n, uint32_t *slot, uint64_t *tag) {
  if (n < 16) return 0;
  *slot = (uint32_t)r[6] | ((uint32_t)r[7] << 8);
  uint64_t t = 0;
  for (int b = 7; b >= 0; b--) t = (t << 8) | r[8 + b];
  *tag = t;
  return 1;
}

static enum outcome kv_check(const uint8_t *r, int n, int get, int *code) {
  *code = -1;
  if (n < 17) return OUT_ERROR;
  *code = r[16];
  if (r[16] == 0x01 && get) return OUT_MISS;
  if (r[16] != 0x00) return OUT_ERROR;
  if (!get) return OUT_OK;
  if (n < 19) return OUT_ERROR;
  int length = r[17] | (r[18] << 8);
  return 19 + length <= n ? OUT_OK : OUT_ERROR;
}

/* memcached UDP: 8-byte frame header (request id, sequence, count, reserved; big-endian). */
static int mc_encode(uint8_t *out, uint16_t request_id, int get, const char *hexkey,
                     const uint8_t *value, int value_size) {
  out[0] = (uint8_t)(request_id >> 8);
  out[1] = (uint8_t)request_id;
  out[2] = 0;
  out[3] = 0;
  out[4] = 0;
  out[5] = 1;
  out[6] = 0;
  out[7] = 0;
  int n = 8;
  if (get) {
    memcpy(out + n, "get ", 4);
    n += 4;
    memcpy(out + n, hexkey, 2 * KEY_BYTES);
    n += 2 * KEY_BYTES;
  } else {
    memcpy(out + n, "set ", 4);
    n += 4;
    memcpy(out + n, hexkey, 2 * KEY_BYTES);
    n += 2 * KEY_BYTES;
    n += sprintf((char *)out + n, " 0 0 %d\r\n", value_size);
    memcpy(out + n, value, (size_t)value_size);
    n += value_size;
  }
  out[n++] = '\r';
  out[n++] = '\n';
  return n;
}

static int mc_header(const uint8_t *r, int n, uint16_t *request_id) {
  if (n < 8) return 0;
  *request_id = (uint16_t)((r[0] << 8) | r[1]);
  return 1;
}

static int starts(const uint8_t *body, int n, const char *text) {
  int len = (int)strlen(text);
  return n >= len && memcmp(body, text, (size_t)len) == 0;
}

static enum outcome mc_check(const uint8_t *r, int n, int get) {
  if (n < 8) return OUT_ERROR;
  const uint8_t *body = r + 8;
  int len = n - 8;
  if (r[4] != 0 || r[5] != 1) return OUT_ERROR; /* multi-datagram replies: values too large */
  if (!get) return len == 8 && starts(body, len, "STORED\r\n") ? OUT_OK : OUT_ERROR;
  if (len == 5 && starts(body, len, "END\r\n")) return OUT_MISS;
  if (!starts(body, len, "VALUE ")) return OUT_ERROR;
  return len >= 11 && memcmp(body + len - 5, "END\r\n", 5) == 0 ? OUT_OK : OUT_ERROR;
}

/* ---------- workers ---------- */

enum phase { PRELOAD, MEASURE };

typedef struct {
  int index;
  int fd;
  uint8_t id_prefix[6];
  int slots;
  int slot_bits;      /* memcached: low bits of the 16-bit request id hold the slot */
  enum phase phase;
  int64_t start, measure_from, end;
  double rate; /* this thread's share, open loop */
  /* slots */
  uint64_t tag[MAX_WINDOW];
  int64_t sent_at[MAX_WINDOW];  /* latency start: the scheduled send time in open loop */
  int64_t wire_at[MAX_WINDOW];  /* when it really left: the timeout runs from here */
  uint32_t key[MAX_WINDOW];
  uint8_t busy[MAX_WINDOW];
  int free_stack[MAX_WINDOW];
  int free_count;
  uint64_t next_tag;
  uint64_t rng;
  /* batches */
  struct mmsghdr send_msgs[BATCH], recv_msgs[BATCH];
  struct iovec send_iov[BATCH], recv_iov[BATCH];
  uint8_t send_buf[BATCH][REQ_MAX];
  uint8_t recv_buf[BATCH][REPLY_MAX];
  uint8_t gso_buf[BATCH * REQ_MAX];
  int gso_off;
  /* results (measured part only; the progress counters are read by the main thread) */
  histogram latency;
  histogram send_lag;
  uint64_t ops, misses, timeouts, unmatched, errors, error_codes[257];
  uint64_t progress_replies, progress_timeouts; /* all phases; relaxed atomics */
  uint64_t preload_timeouts;
  int failed_errno;
  /* --slow-log: (latency start, latency) of measured requests slower than cfg.slow_us */
  int64_t (*slow)[2];
  uint32_t slow_count;
  uint64_t slow_dropped;
} worker;

static uint32_t preload_next; /* shared key counter of the preload */
static uint32_t preload_done;

static inline uint32_t rnd_key(worker *w) { return (uint32_t)(splitmix(&w->rng) % (uint64_t)cfg.keys); }

/* Encodes a request for slot s into batch entry b; returns its length. */
static int encode(worker *w, int b, int s, uint32_t k, int get) {
  uint64_t tag = w->next_tag++;
  const uint8_t *value = values[tag % VALUES];
  int n;
  if (cfg.protocol == KVSTORE) {
    w->tag[s] = tag;
    n = kv_encode(w->send_buf[b], w->id_prefix, (uint16_t)s, tag, get, key_bytes[k], value,
                  cfg.value_size);
  } else {
    uint64_t wire_tag = tag & (0xFFFFu >> w->slot_bits);
    w->tag[s] = wire_tag;
    n = mc_encode(w->send_buf[b], (uint16_t)((wire_tag << w->slot_bits) | (uint64_t)s), get,
                  key_hex[k], value, cfg.value_size);
  }
  w->key[s] = k;
  w->busy[s] = 1;
  w->send_iov[b].iov_len = (size_t)n;
  return n;
}

/* UDP GSO: a batch of equal-sized requests leaves in one sendmsg with UDP_SEGMENT, which the kernel
   splits into datagrams; the server receives ordinary datagrams. Returns -1 if not usable. */
static int gso_send(worker *w, int count) {
  size_t size = w->send_iov[0].iov_len;
  for (int b = 1; b < count; b++)
    if (w->send_iov[b].iov_len != size) return -1;
  for (int b = 0; b < count; b++) memcpy(w->gso_buf + (size_t)b * size, w->send_buf[b], size);
  struct iovec iov = {w->gso_buf, size * (size_t)count};
  char control[CMSG_SPACE(sizeof(uint16_t))] = {0};
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_UDP;
  cm->cmsg_type = UDP_SEGMENT;
  cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  uint16_t segment = (uint16_t)size;
  memcpy(CMSG_DATA(cm), &segment, sizeof segment);
  for (;;) {
    ssize_t r = sendmsg(w->fd, &msg, 0);
    if (r >= 0) return 0;
    if (errno == EINTR) continue;
    if (errno == ECONNREFUSED || errno == EAGAIN || errno == ENOBUFS) return 0; /* lost: timeouts */
    if (errno == EINVAL || errno == EIO || errno == EOPNOTSUPP) {
      w->gso_off = 1; /* this kernel or path cannot: plain sendmmsg from now on */
      return -1;
    }
    w->failed_errno = errno;
    return -2;
  }
}

static int flush_sends(worker *w, int count) {
  if (cfg.gso && !w->gso_off && count > 1) {
    int r = gso_send(w, count);
    if (r == 0) return 0;
    if (r == -2) return -1;
  }
  int sent = 0;
  while (sent < count) {
    int r = sendmmsg(w->fd, w->send_msgs + sent, (unsigned)(count - sent), 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNREFUSED || errno == EAGAIN || errno == ENOBUFS) {
        sent++; /* that datagram is lost: it shows up as a timeout */
        continue;
      }
      w->failed_errno = errno;
      return -1;
    }
    sent += r;
  }
  return 0;
}

static inline void release(worker *w, int s) {
  w->busy[s] = 0;
  w->free_stack[w->free_count++] = s;
}

static void on_reply(worker *w, const uint8_t *r, int n, int64_t now) {
  int measuring = now >= w->measure_from && now < w->end && w->phase == MEASURE;
  uint32_t s;
  uint64_t tag;
  if (cfg.protocol == KVSTORE) {
    if (!kv_header(r, n, &s, &tag)) goto unmatched;
  } else {
    uint16_t id;
    if (!mc_header(r, n, &id)) goto unmatched;
    s = id & ((1u << w->slot_bits) - 1);
    tag = id >> w->slot_bits;
  }
  if (s >= (uint32_t)w->slots || !w->busy[s] || w->tag[s] != tag) goto unmatched;
  int code = 256;
  enum outcome o =
      cfg.protocol == KVSTORE ? kv_check(r, n, cfg.get && w->phase == MEASURE, &code)
                              : mc_check(r, n, cfg.get && w->phase == MEASURE);
  if (w->phase == PRELOAD) {
    if (o != OUT_OK) { /* re-sent by the timeout scan: the key must be stored */
      return;
    }
    __atomic_add_fetch(&preload_done, 1, __ATOMIC_RELAXED);
  } else if (measuring) {
    if (o == OUT_ERROR) {
      w->errors++;
      w->error_codes[code < 0 ? 256 : code]++;
    } else {
      w->ops++;
      if (o == OUT_MISS) w->misses++;
      hist_record(&w->latency, now - w->sent_at[s]);
      if (w->slow && now - w->sent_at[s] >= (int64_t)(cfg.slow_us * 1e3)) {
        if (w->slow_count < SLOW_MAX) {
          w->slow[w->slow_count][0] = w->sent_at[s];
          w->slow[w->slow_count++][1] = now - w->sent_at[s];
        } else {
          w->slow_dropped++;
        }
      }
    }
  }
  __atomic_store_n(&w->progress_replies, w->progress_replies + 1, __ATOMIC_RELAXED);
  release(w, s);
  return;
unmatched:
  if (measuring) w->unmatched++;
}

/* Frees slots whose request is older than the timeout: counted, not retried (preload re-sends). */
static int scan_timeouts(worker *w, int64_t now, int *batch) {
  int64_t limit = (int64_t)(cfg.timeout * 1e9);
  for (int s = 0; s < w->slots; s++) {
    if (!w->busy[s] || now - w->wire_at[s] <= limit) continue;
    if (w->phase == PRELOAD) {
      w->preload_timeouts++;
      encode(w, *batch, s, w->key[s], 0);
      w->sent_at[s] = w->wire_at[s] = now;
      if (++*batch == BATCH) {
        if (flush_sends(w, *batch) < 0) return -1;
        *batch = 0;
      }
      continue;
    }
    if (now >= w->measure_from && now < w->end) w->timeouts++;
    __atomic_store_n(&w->progress_timeouts, w->progress_timeouts + 1, __ATOMIC_RELAXED);
    release(w, s);
  }
  return 0;
}

static int receive(worker *w, int wait_ns) {
  int flags = MSG_DONTWAIT;
  if (wait_ns > 0 && w->rate <= 0) {
    /* Closed loop: block in recvmmsg itself (SO_RCVTIMEO is the 10 ms scan interval), one system
       call fewer per batch than poll + recvmmsg. */
    flags = MSG_WAITFORONE;
  } else if (wait_ns > 0) {
    struct pollfd p = {w->fd, POLLIN, 0};
    struct timespec ts = {wait_ns / 1000000000, wait_ns % 1000000000};
    int r = ppoll(&p, 1, &ts, NULL);
    if (r <= 0) return r < 0 && errno != EINTR ? -1 : 0;
  }
  int n = recvmmsg(w->fd, w->recv_msgs, BATCH, flags, NULL);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNREFUSED) return 0;
    w->failed_errno = errno;
    return -1;
  }
  int64_t now = now_ns();
  for (int i = 0; i < n; i++) on_reply(w, w->recv_buf[i], (int)w->recv_msgs[i].msg_len, now);
  return n;
}

static void *run_worker(void *arg) {
  worker *w = arg;
  const int64_t scan_every = 10000000; /* 10 ms */
  int64_t now = now_ns(), next_scan = now + scan_every;
  int64_t interval = w->rate > 0 ? (int64_t)(1e9 / w->rate) : 0;
  int64_t next_arrival = now; /* open loop: the scheduled time of the next request */
  while (now < w->end) {
    int batch = 0;
    while (w->free_count > 0 && batch < BATCH) {
      uint32_t k;
      int64_t scheduled = now;
      if (w->phase == PRELOAD) {
        k = __atomic_fetch_add(&preload_next, 1, __ATOMIC_RELAXED);
        if (k >= (uint32_t)cfg.keys) break;
      } else {
        if (interval > 0) {
          if (next_arrival > now) break;
          scheduled = next_arrival;
          next_arrival += interval;
          if (now >= w->measure_from) hist_record(&w->send_lag, now - scheduled);
        }
        k = rnd_key(w);
      }
      int s = w->free_stack[--w->free_count];
      encode(w, batch, s, k, w->phase == PRELOAD ? 0 : cfg.get);
      w->sent_at[s] = scheduled;
      w->wire_at[s] = now;
      batch++;
    }
    if (batch > 0 && flush_sends(w, batch) < 0) return NULL;
    if (w->phase == PRELOAD && w->free_count == w->slots &&
        __atomic_load_n(&preload_next, __ATOMIC_RELAXED) >= (uint32_t)cfg.keys)
      break;
    /* Wait for a reply, but no longer than the next arrival, the timeout scan or the end. */
    int64_t wake = next_scan < w->end ? next_scan : w->end;
    /* Open loop: wake for the next arrival, unless every slot is busy: then only a reply (or
       the scan) frees one, and spinning would take the CPU from the server under test. */
    if (interval > 0 && w->phase == MEASURE && w->free_count > 0 && next_arrival < wake)
      wake = next_arrival;
    int64_t wait = wake - now;
    if (wait < 0) wait = 0;
    if (receive(w, wait > 0 ? (int)(wait > 999999999 ? 999999999 : wait) : 0) < 0) return NULL;
    now = now_ns();
    if (now >= next_scan) {
      int resend = 0;
      if (scan_timeouts(w, now, &resend) < 0) return NULL;
      if (resend > 0 && flush_sends(w, resend) < 0) return NULL;
      next_scan = now + scan_every;
    }
  }
  return NULL;
}

static int open_socket(worker *w) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return -1;
  int size = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  struct timeval scan = {0, 10000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &scan, sizeof scan);
  struct sockaddr_in to = {0};
  to.sin_family = AF_INET;
  to.sin_port = htons((uint16_t)cfg.port);
  if (inet_pton(AF_INET, cfg.host, &to.sin_addr) != 1) {
    fprintf(stderr, "kvload: %s is not an IPv4 address\n", cfg.host);
    exit(2);
  }
  if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) return -1;
  struct sockaddr_in local;
  socklen_t len = sizeof local;
  getsockname(fd, (struct sockaddr *)&local, &len);
  memcpy(w->id_prefix, &local.sin_addr.s_addr, 4);
  uint16_t port = ntohs(local.sin_port);
  w->id_prefix[4] = (uint8_t)port;
  w->id_prefix[5] = (uint8_t)(port >> 8);
  w->fd = fd;
  return 0;
}

static void setup_worker(worker *w, int index, int slots) {
  memset(w, 0, sizeof *w);
  w->index = index;
  w->slots = slots;
  w->slot_bits = 1;
  while ((1 << w->slot_bits) < slots) w->slot_bits++;
  w->next_tag = (uint64_t)now_ns() ^ ((uint64_t)index << 56);
  w->rng = 12345u + (uint64_t)index * 7919u;
  for (int s = 0; s < slots; s++) w->free_stack[w->free_count++] = slots - 1 - s;
  for (int b = 0; b < BATCH; b++) {
    w->send_iov[b].iov_base = w->send_buf[b];
    w->send_msgs[b].msg_hdr.msg_iov = &w->send_iov[b];
    w->send_msgs[b].msg_hdr.msg_iovlen = 1;
    w->recv_iov[b].iov_base = w->recv_buf[b];
    w->recv_iov[b].iov_len = REPLY_MAX;
    w->recv_msgs[b].msg_hdr.msg_iov = &w->recv_iov[b];
    w->recv_msgs[b].msg_hdr.msg_iovlen = 1;
  }
  if (open_socket(w) < 0) {
    perror("kvload: socket");
    exit(2);
  }
  if (cfg.slow_log && !(w->slow = malloc(sizeof(*w->slow) * SLOW_MAX))) {
    perror("kvload: slow log");
    exit(2);
  }
}

static worker *workers;

/* One line per slow request: its latency start (CLOCK_MONOTONIC ns, the clock of the JVM's
   System.nanoTime and -Xlog's timenanos decoration) and its latency in ns. */
static void write_slow_log(int64_t measure_from, int64_t end) {
  FILE *f = fopen(cfg.slow_log, "w");
  if (!f) {
    perror("kvload: slow log");
    return;
  }
  uint64_t dropped = 0;
  fprintf(f, "# measure_from_ns %lld end_ns %lld slow_us %.1f\n", (long long)measure_from,
          (long long)end, cfg.slow_us);
  for (int t = 0; t < cfg.threads; t++) {
    worker *w = &workers[t];
    for (uint32_t i = 0; i < w->slow_count; i++)
      fprintf(f, "%lld %lld\n", (long long)w->slow[i][0], (long long)w->slow[i][1]);
    dropped += w->slow_dropped;
  }
  if (dropped) fprintf(f, "# dropped %llu (more than %d per thread)\n", (unsigned long long)dropped, SLOW_MAX);
  fclose(f);
}

/* ---------- the run ---------- */

static void start_phase(enum phase phase, int64_t start, int64_t measure_from, int64_t end,
                        pthread_t *threads) {
  for (int t = 0; t < cfg.threads; t++) {
    worker *w = &workers[t];
    w->phase = phase;
    w->start = start;
    w->measure_from = measure_from;
    w->end = end;
    w->rate = cfg.rate / cfg.threads;
    /* Slots still busy from the preload are dropped: their replies become unmatched. */
    w->free_count = 0;
    for (int s = 0; s < w->slots; s++) {
      w->busy[s] = 0;
      w->free_stack[w->free_count++] = w->slots - 1 - s;
    }
    pthread_create(&threads[t], NULL, run_worker, w);
  }
}

static uint64_t sum_relaxed(size_t offset) {
  uint64_t total = 0;
  for (int t = 0; t < cfg.threads; t++)
    total += __atomic_load_n((uint64_t *)((char *)&workers[t] + offset), __ATOMIC_RELAXED);
  return total;
}

static void sleep_until(int64_t t) {
  struct timespec ts = {t / 1000000000, t % 1000000000};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
  }
}

static void check_failures(void) {
  for (int t = 0; t < cfg.threads; t++)
    if (workers[t].failed_errno) {
      fprintf(stderr, "kvload: socket error: %s\n", strerror(workers[t].failed_errno));
      exit(3);
    }
}

static void preload(void) {
  pthread_t threads[2];
  int64_t start = now_ns();
  int64_t limit = start + (int64_t)30e9;
  start_phase(PRELOAD, start, start, limit, threads);
  for (int t = 0; t < cfg.threads; t++) pthread_join(threads[t], NULL);
  check_failures();
  uint32_t done = __atomic_load_n(&preload_done, __ATOMIC_RELAXED);
  if (done < (uint32_t)cfg.keys) {
    fprintf(stderr, "kvload: preload stored only %u of %d keys in 30 s; is the server up?\n", done,
            cfg.keys);
    exit(3);
  }
  fprintf(stderr, "kvload: preloaded %d keys in %.2f s\n", cfg.keys, (now_ns() - start) / 1e9);
}

static void measure(void) {
  pthread_t threads[2];
  int64_t start = now_ns();
  int64_t measure_from = start + (int64_t)(cfg.warmup * 1e9);
  int64_t end = measure_from + (int64_t)(cfg.duration * 1e9);
  start_phase(MEASURE, start, measure_from, end, threads);
  double cpu_start = cpu_seconds();
  uint64_t last_replies = 0, replies_at_measure = 0;
  double last_cpu = cpu_start, cpu_at_measure = 0;
  int measuring = 0;
  int64_t last_at = start;
  for (int64_t tick = start + 1000000000LL; tick < end + 1000000000LL; tick += 1000000000LL) {
    int64_t at = tick < end ? tick : end;
    if (!measuring && measure_from <= at) {
      sleep_until(measure_from);
      cpu_at_measure = cpu_seconds();
      replies_at_measure = sum_relaxed(offsetof(worker, progress_replies));
      measuring = 1;
    }
    sleep_until(at);
    uint64_t replies = sum_relaxed(offsetof(worker, progress_replies));
    uint64_t timeouts = sum_relaxed(offsetof(worker, progress_timeouts));
    double cpu = cpu_seconds();
    uint64_t d = replies - last_replies;
    double seconds = (at - last_at) / 1e9;
    last_at = at;
    fprintf(stderr, "kvload: %s %5.1f s: %.0f replies/s, %.2f us client CPU per reply, %lu timeouts\n",
            at <= measure_from ? "warm-up" : "measure", (at - start) / 1e9, d / seconds,
            d ? (cpu - last_cpu) * 1e6 / (double)d : 0.0, (unsigned long)timeouts);
    last_replies = replies;
    last_cpu = cpu;
    if (at == end) break;
  }
  for (int t = 0; t < cfg.threads; t++) pthread_join(threads[t], NULL);
  double cpu_end = cpu_seconds();
  check_failures();
  uint64_t replies_measured = sum_relaxed(offsetof(worker, progress_replies)) - replies_at_measure;

  histogram *lat = calloc(1, sizeof(histogram)), *lag = calloc(1, sizeof(histogram));
  uint64_t ops = 0, misses = 0, timeouts = 0, unmatched = 0, errors = 0, codes[257] = {0};
  for (int t = 0; t < cfg.threads; t++) {
    worker *w = &workers[t];
    hist_add(lat, &w->latency);
    hist_add(lag, &w->send_lag);
    ops += w->ops;
    misses += w->misses;
    timeouts += w->timeouts;
    unmatched += w->unmatched;
    errors += w->errors;
    for (int c = 0; c < 257; c++) codes[c] += w->error_codes[c];
  }
  double cpu_per = replies_measured ? (cpu_end - cpu_at_measure) * 1e6 / (double)replies_measured : 0;
  printf("{\"generator\":\"kvload\",\"protocol\":\"%s\",\"workload\":\"%s\",\"mode\":\"%s\","
         "\"targetRate\":%.0f,\"target\":\"%s:%d\",\"valueSize\":%d,\"keys\":%d,\"window\":%d,"
         "\"threads\":%d,\"seconds\":%.3f,\"ops\":%lu,\"opsPerSecond\":%.1f,\"misses\":%lu,"
         "\"timeouts\":%lu,\"unmatchedReplies\":%lu,\"errorReplies\":%lu,\"errors\":{",
         cfg.protocol == KVSTORE ? "kvstore" : "memcached", cfg.get ? "get" : "put",
         cfg.rate > 0 ? "open" : "closed", cfg.rate, cfg.host, cfg.port, cfg.value_size, cfg.keys,
         cfg.window, cfg.threads, cfg.duration, (unsigned long)ops, ops / cfg.duration,
         (unsigned long)misses, (unsigned long)timeouts, (unsigned long)unmatched,
         (unsigned long)errors);
  int first = 1;
  for (int c = 0; c < 257; c++)
    if (codes[c]) {
      if (c < 256)
        printf("%s\"0x%02X\":%lu", first ? "" : ",", c, (unsigned long)codes[c]);
      else
        printf("%s\"malformed\":%lu", first ? "" : ",", (unsigned long)codes[c]);
      first = 0;
    }
  printf("},\"latencyMicros\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f,"
         "\"mean\":%.1f}",
         hist_percentile(lat, 50) / 1e3, hist_percentile(lat, 90) / 1e3,
         hist_percentile(lat, 99) / 1e3, hist_percentile(lat, 99.9) / 1e3, lat->max / 1e3,
         lat->total ? lat->sum / (double)lat->total / 1e3 : 0);
  if (cfg.rate > 0)
    printf(",\"sendLagMicros\":{\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f}",
           hist_percentile(lag, 50) / 1e3, hist_percentile(lag, 99) / 1e3, lag->max / 1e3);
  int gso_used = cfg.gso;
  for (int t = 0; t < cfg.threads; t++) gso_used &= !workers[t].gso_off;
  printf(",\"clientCpuMicrosPerRequest\":%.3f,\"clientCpuSeconds\":%.3f,\"gso\":%s}\n", cpu_per,
         cpu_end - cpu_at_measure, gso_used ? "true" : "false");
  fflush(stdout);
  if (cfg.slow_log) write_slow_log(measure_from, end);
  free(lat);
  free(lag);
}

/* ---------- self-check ---------- */

static int failures;
#define CHECK(cond, what)                                   \
  do {                                                      \
    if (!(cond)) {                                          \
      fprintf(stderr, "selftest FAILED: %s\n", what);       \
      failures++;                                           \
    }                                                       \
  } while (0)

static int unhex(const char *hex, uint8_t *out) {
  int n = (int)strlen(hex) / 2;
  for (int i = 0; i < n; i++) sscanf(hex + 2 * i, "%2hhx", &out[i]);
  return n;
}

static int selftest(void) {
  /* Histogram: every value 1..2,000,000 ns once; percentiles within 1% of the exact ones. */
  histogram *h = calloc(1, sizeof(histogram));
  for (int64_t v = 1; v <= 2000000; v++) hist_record(h, v);
  double ps[] = {50, 90, 99, 99.9, 100};
  for (int i = 0; i < 5; i++) {
    double exact = ceil(ps[i] / 100 * 2000000), got = hist_percentile(h, ps[i]);
    CHECK(fabs(got - exact) <= exact * 0.01, "histogram percentile within 1%");
  }
  CHECK(h->max == 2000000 && h->total == 2000000, "histogram max and count");
  for (uint64_t v = 1; v < (1ULL << 40); v = v * 3 + 1) {
    int i = hist_index(v);
    CHECK(i >= 0 && i < HIST_SIZE, "histogram index in range");
    CHECK(fabs(hist_value(i) - (double)v) <= (double)v * 0.005, "bucket middle within 0.5%");
  }
  memset(h, 0, sizeof *h);
  hist_record(h, 7);
  CHECK(hist_percentile(h, 50) == 7 && hist_percentile(h, 100) == 7, "small values exact");
  free(h);

  /* KVStore: docs/PROTOCOL.md's test vectors (put-hello, get, get-value, not-found). */
  uint8_t key[32], out[REQ_MAX], expected[256], prefix[6] = {0, 1, 2, 3, 4, 5};
  unhex("4b68ab3847feda7d6c62c1fbcbeebfa35eab7351ed5e78f4ddadea5df64b8015", key);
  uint64_t tag = 0x0f0e0d0c0b0a0908ULL;
  int n = kv_encode(out, prefix, 0x0706, tag, 0, key, (const uint8_t *)"hello", 5);
  int m = unhex("000102030405060708090a0b0c0d0e0f014b68ab3847feda7d6c62c1fbcbeebfa35eab7351ed5e78f4"
                "ddadea5df64b8015050068656c6c6f", expected);
  CHECK(n == m && memcmp(out, expected, (size_t)n) == 0, "KVStore PUT vector put-hello");
  n = kv_encode(out, prefix, 0x0706, tag, 1, key, NULL, 0);
  m = unhex("000102030405060708090a0b0c0d0e0f024b68ab3847feda7d6c62c1fbcbeebfa35eab7351ed5e78f4dd"
            "adea5df64b8015", expected);
  CHECK(n == m && memcmp(out, expected, (size_t)n) == 0, "KVStore GET vector get");
  uint32_t slot;
  uint64_t got_tag;
  int code;
  m = unhex("000102030405060708090a0b0c0d0e0f00050068656c6c6f", expected);
  CHECK(kv_header(expected, m, &slot, &got_tag) && slot == 0x0706 && got_tag == tag,
        "KVStore reply id gives slot and tag");
  CHECK(kv_check(expected, m, 1, &code) == OUT_OK, "KVStore get-value reply is OK");
  CHECK(kv_check(expected, m - 1, 1, &code) == OUT_ERROR, "KVStore truncated value is an error");
  m = unhex("000102030405060708090a0b0c0d0e0f01", expected);
  CHECK(kv_check(expected, m, 1, &code) == OUT_MISS, "KVStore not-found reply is a miss");
  CHECK(kv_check(expected, m, 0, &code) == OUT_ERROR && code == 1, "not-found answers no PUT");
  m = unhex("000102030405060708090a0b0c0d0e0f03", expected);
  CHECK(kv_check(expected, m, 1, &code) == OUT_ERROR && code == 3, "overload is an error");
  CHECK(!kv_header(expected, 15, &slot, &got_tag), "KVStore reply shorter than an id");

  /* memcached UDP frames. */
  char hex[64];
  to_hex(key, 32, hex);
  n = mc_encode(out, 0xABCD, 1, hex, NULL, 0);
  CHECK(n == 8 + 4 + 64 + 2 && memcmp(out, "\xAB\xCD\0\0\0\1\0\0get 4b68ab", 18) == 0 &&
            memcmp(out + n - 2, "\r\n", 2) == 0,
        "memcached get frame");
  n = mc_encode(out, 1, 0, hex, (const uint8_t *)"hello", 5);
  CHECK(n == 8 + 4 + 64 + 8 + 5 + 2 && memcmp(out + 76, " 0 0 5\r\nhello\r\n", 15) == 0,
        "memcached set frame");
  uint16_t id;
  const char stored[] = "\x12\x34\0\0\0\1\0\0STORED\r\n";
  CHECK(mc_header((const uint8_t *)stored, 16, &id) && id == 0x1234, "memcached request id");
  CHECK(mc_check((const uint8_t *)stored, 16, 0) == OUT_OK, "memcached STORED");
  const char end[] = "\0\1\0\0\0\1\0\0END\r\n";
  CHECK(mc_check((const uint8_t *)end, 13, 1) == OUT_MISS, "memcached miss");
  const char value[] = "\0\1\0\0\0\1\0\0VALUE k 0 5\r\nhello\r\nEND\r\n";
  CHECK(mc_check((const uint8_t *)value, (int)sizeof value - 1, 1) == OUT_OK, "memcached hit");
  CHECK(mc_check((const uint8_t *)value, (int)sizeof value - 3, 1) == OUT_ERROR,
        "memcached cut value");
  const char err[] = "\0\1\0\0\0\1\0\0SERVER_ERROR out of memory\r\n";
  CHECK(mc_check((const uint8_t *)err, (int)sizeof err - 1, 0) == OUT_ERROR, "memcached error");

  /* Keys: distinct and stable. */
  uint8_t k0[32], k1[32], k0b[32];
  make_key(0, k0);
  make_key(1, k1);
  make_key(0, k0b);
  CHECK(memcmp(k0, k1, 32) != 0 && memcmp(k0, k0b, 32) == 0, "keys distinct and stable");
  if (failures == 0) printf("selftest: 0 failed (histogram, KVStore and memcached codecs, keys)\n");
  return failures ? 1 : 0;
}

/* ---------- main ---------- */

static void usage(FILE *to) {
  fprintf(to,
          "usage: kvload [options]\n"
          "  --protocol kvstore|memcached   (kvstore)\n"
          "  --host IPV4 --port N           server (127.0.0.1:4000)\n"
          "  --workload get|put             (get; get preloads every key first)\n"
          "  --value-size N                 bytes, at most %d (100)\n"
          "  --keys N                       keyspace (10000)\n"
          "  --window N                     requests in flight in all, at most %d per thread (32)\n"
          "  --threads 1|2                  one socket each (1)\n"
          "  --rate R                       open loop at R requests/s in all (0: closed loop)\n"
          "  --duration S --warmup S        seconds measured, after warm-up (10, 3)\n"
          "  --timeout S                    unanswered after S seconds: a timeout (1)\n"
          "  --preload 0|1                  PUT every key before the run (1 for get)\n"
          "  --gso 0|1                      send equal-sized batches with UDP GSO (1)\n"
          "  --slow-log FILE --slow-us U    write measured requests of latency >= U us (200) to\n"
          "                                 FILE: 'start_ns latency_ns', CLOCK_MONOTONIC\n"
          "  --selftest                     check the histogram and codecs, then exit\n"
          "Prints a progress line each second on stderr and one JSON line on stdout.\n",
          MAX_VALUE, MAX_WINDOW);
}

int main(int argc, char **argv) {
  static struct option opts[] = {
      {"protocol", 1, 0, 'P'}, {"host", 1, 0, 'h'},     {"port", 1, 0, 'p'},
      {"workload", 1, 0, 'w'}, {"value-size", 1, 0, 'v'}, {"keys", 1, 0, 'k'},
      {"window", 1, 0, 'W'},   {"threads", 1, 0, 't'},  {"rate", 1, 0, 'r'},
      {"duration", 1, 0, 'd'}, {"warmup", 1, 0, 'u'},   {"timeout", 1, 0, 'T'},
      {"preload", 1, 0, 'L'},  {"gso", 1, 0, 'G'}, {"slow-log", 1, 0, 'l'}, {"slow-us", 1, 0, 'U'},  {"selftest", 0, 0, 'S'}, {"help", 0, 0, 'H'},
      {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
      case 'P':
        if (strcmp(optarg, "kvstore") == 0) cfg.protocol = KVSTORE;
        else if (strcmp(optarg, "memcached") == 0) cfg.protocol = MEMCACHED;
        else { fprintf(stderr, "kvload: unknown protocol %s\n", optarg); return 2; }
        break;
      case 'h': cfg.host = optarg; break;
      case 'p': cfg.port = atoi(optarg); break;
      case 'w':
        if (strcmp(optarg, "get") == 0) cfg.get = 1;
        else if (strcmp(optarg, "put") == 0) cfg.get = 0;
        else { fprintf(stderr, "kvload: unknown workload %s\n", optarg); return 2; }
        break;
      case 'v': cfg.value_size = atoi(optarg); break;
      case 'k': cfg.keys = atoi(optarg); break;
      case 'W': cfg.window = atoi(optarg); break;
      case 't': cfg.threads = atoi(optarg); break;
      case 'r': cfg.rate = atof(optarg); break;
      case 'd': cfg.duration = atof(optarg); break;
      case 'u': cfg.warmup = atof(optarg); break;
      case 'T': cfg.timeout = atof(optarg); break;
      case 'L': cfg.preload = atoi(optarg); break;
      case 'G': cfg.gso = atoi(optarg); break;
      case 'l': cfg.slow_log = optarg; break;
      case 'U': cfg.slow_us = atof(optarg); break;
      case 'S': return selftest();
      case 'H': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (cfg.threads < 1 || cfg.threads > 2 || cfg.window < cfg.threads ||
      cfg.window > MAX_WINDOW * cfg.threads || cfg.value_size < 0 || cfg.value_size > MAX_VALUE ||
      cfg.keys < 1 || cfg.duration <= 0 || cfg.duration > 3600 || cfg.warmup < 0 ||
      cfg.timeout <= 0 || cfg.rate < 0 || cfg.port < 1 || cfg.port > 65535) {
    fprintf(stderr, "kvload: a setting is out of range (threads 1-2, window threads..%d per thread,"
                    " value size 0-%d, duration 0-3600 s, port 1-65535)\n",
            MAX_WINDOW, MAX_VALUE);
    return 2;
  }
  if (cfg.protocol == MEMCACHED && cfg.window / cfg.threads > 2048) {
    fprintf(stderr, "kvload: memcached's 16-bit request id holds at most 2048 slots per thread\n");
    return 2;
  }
  if (cfg.preload < 0) cfg.preload = cfg.get;
  /* Open loop: wake within 10 us of the scheduled send time (the default slack is 50 us); the
     lateness that remains is in the latencies and reported as sendLagMicros. */
  prctl(PR_SET_TIMERSLACK, 10000UL);

  key_bytes = malloc((size_t)cfg.keys * KEY_BYTES);
  key_hex = malloc((size_t)cfg.keys * 2 * KEY_BYTES);
  for (int i = 0; i < cfg.keys; i++) {
    make_key((uint32_t)i, key_bytes[i]);
    to_hex(key_bytes[i], KEY_BYTES, key_hex[i]);
  }
  uint64_t s = 99;
  for (int v = 0; v < VALUES; v++)
    for (int i = 0; i < cfg.value_size; i++) {
      uint64_t r = splitmix(&s);
      values[v][i] = cfg.protocol == MEMCACHED ? (uint8_t)('!' + r % 94) : (uint8_t)r;
    }
  workers = calloc((size_t)cfg.threads, sizeof(worker));
  for (int t = 0; t < cfg.threads; t++)
    setup_worker(&workers[t], t, cfg.window / cfg.threads + (t < cfg.window % cfg.threads));
  if (cfg.preload) preload();
  measure();
  return 0;
}
