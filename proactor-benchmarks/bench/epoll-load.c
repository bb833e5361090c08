/*
 * epoll-load: an echo load generator in plain C on epoll, independent of the library it measures (the Java
 * EchoLoad runs on the library's own io_uring engine). Same protocol and output as EchoLoad's main, so
 * bench/echo-compare.py can use either:
 *
 *   epoll-load PORT CONNECTIONS SIZE DEPTH WARMUP_S MEASURE_S [THREADS]
 *
 * CONNECTIONS connections to 127.0.0.1:PORT, each keeping DEPTH messages of SIZE bytes in flight (DEPTH 1:
 * ping-pong); a message answered is replaced by a new one at once. Every echoed byte is checked against the
 * pattern that was sent (EchoLoad's: computed from the connection number and the stream offset, so nothing is
 * stored). After WARMUP_S seconds it prints "measure-start epochMs=..", measures for MEASURE_S seconds (round
 * trips, and the latency of each message from send to its last echoed byte), then prints
 *   result roundTrips=N seconds=S errors=E p50us=.. p99us=.. p999us=.. cpuSeconds=C
 * (C: the load's own CPU time in the window, all threads) and exits with status 1 if anything went wrong during the run (warm-up included), 2 on bad arguments.
 *
 * The connections are spread over THREADS threads (default 1), each with its own epoll instance. It is built
 * to cost as little per round trip as it can (edge-triggered epoll, so a socket is not polled again after each
 * wait; one recv per readable event into a large buffer; the replies of a whole read coalesced into one send) so that at thousands of connections the server,
 * not the load, is what runs out of CPU.
 *
 * Build: gcc -O2 -Wall -Wextra -pthread -o epoll-load epoll-load.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_BUF (256 * 1024)   /* one recv takes whatever has arrived, pipelined answers included */
#define WRITE_BUF (64 * 1024)   /* replies are generated into this, a chunk at a time */
#define MAX_EVENTS 512
#define CONNECT_TIMEOUT_S 10
#define HIGHEST_LATENCY_NS (60ull * 1000 * 1000 * 1000) /* longer latencies are recorded as this */

/*
 * Latency histogram, log-linear like HdrHistogram's but coarser: 32 sub-buckets per power of two above 64 ns,
 * so a reported percentile is within 1/32 (3 %) of the true value -- plenty for p50/p99 of a benchmark.
 */
#define SUB_BITS 6
#define HALF (1u << (SUB_BITS - 1))
#define BUCKETS 2048

enum phase { WARMUP, MEASURE, STOP };

struct conn {
    int fd;
    int id;              /* the connection number: part of its byte pattern */
    bool dead;
    bool want_out;       /* EPOLLOUT armed: the socket's send buffer was full */
    uint64_t scheduled;  /* bytes of the stream handed to send so far, or waiting for room */
    uint64_t written;    /* bytes actually accepted by send() */
    uint64_t received;   /* bytes echoed and verified */
    uint64_t msgs_sent, msgs_answered;
    uint64_t *sent_at;   /* send times of the messages in flight, a ring of DEPTH (answers come in order) */
};

struct worker {
    pthread_t thread;
    int epfd;
    struct conn *conns;
    int nconns;
    _Atomic uint64_t answered; /* written only by the worker, read by the main thread */
    uint64_t hist[BUCKETS];    /* read by the main thread only after the join */
    unsigned char *rbuf, *wbuf;
};

static int size, depth;
static _Atomic int phase = WARMUP;
static _Atomic uint64_t errors;
static atomic_flag first_error_told = ATOMIC_FLAG_INIT;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* CPU time of all the process's threads: the load's own cost, reported for its measurement window */
static uint64_t process_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* EchoLoad.pattern: the byte at OFFSET of connection CONN's stream */
static inline unsigned char pattern(int conn, uint64_t offset)
{
    return (unsigned char) ((uint64_t) conn * 31 + offset * 7 + (offset >> 8));
}

static unsigned bucket_of(uint64_t v)
{
    if (v < 2 * HALF)
        return (unsigned) v;
    int msb = 63 - __builtin_clzll(v);
    int shift = msb - (SUB_BITS - 1);
    return (unsigned) shift * HALF + (unsigned) (v >> shift);
}

/* the middle of bucket B's range of values */
static double value_of(unsigned b)
{
    if (b < 2 * HALF)
        return b;
    unsigned shift = b / HALF - 1;
    uint64_t sub = b - shift * HALF;
    return (double) (sub << shift) + (double) (1ull << shift) / 2;
}

static double percentile_us(const uint64_t *hist, double pct)
{
    uint64_t total = 0;
    for (unsigned b = 0; b < BUCKETS; b++)
        total += hist[b];
    if (total == 0)
        return 0;
    uint64_t rank = (uint64_t) (pct / 100.0 * (double) total + 0.999999);
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned b = 0; b < BUCKETS; b++) {
        seen += hist[b];
        if (seen >= rank)
            return value_of(b) / 1000.0;
    }
    return value_of(BUCKETS - 1) / 1000.0;
}

/* Counts an error; the first one of the run is told on stderr. The connection is closed, not retried. */
static void fail(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct conn *c, const char *fmt, ...)
{
    atomic_fetch_add(&errors, 1);
    if (!atomic_flag_test_and_set(&first_error_told)) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "first error: ");
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
        va_end(ap);
    }
    c->dead = true;
    close(c->fd); /* also leaves the epoll set */
}

static void set_events(struct worker *w, struct conn *c, bool out)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET | (out ? EPOLLOUT : 0), .data.ptr = c };
    if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        fail(c, "epoll_ctl on connection %d: %s", c->id, strerror(errno));
    c->want_out = out;
}

/* Sends what is scheduled and not yet written; when the socket is full, waits for EPOLLOUT. */
static void flush_out(struct worker *w, struct conn *c)
{
    while (c->written < c->scheduled) {
        uint64_t left = c->scheduled - c->written;
        size_t len = left < WRITE_BUF ? (size_t) left : WRITE_BUF;
        for (size_t i = 0; i < len; i++)
            w->wbuf[i] = pattern(c->id, c->written + i);
        ssize_t n = send(c->fd, w->wbuf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (!c->want_out)
                    set_events(w, c, true);
                return;
            }
            if (errno == EINTR)
                continue;
            if (atomic_load_explicit(&phase, memory_order_relaxed) != STOP)
                fail(c, "send on connection %d: %s", c->id, strerror(errno));
            return;
        }
        c->written += (uint64_t) n;
    }
    if (c->want_out)
        set_events(w, c, false);
}

/* Schedules COUNT new messages, recording their send time. */
static void schedule(struct conn *c, uint64_t count, uint64_t now)
{
    for (uint64_t i = 0; i < count; i++)
        c->sent_at[c->msgs_sent++ % (uint64_t) depth] = now;
    c->scheduled += count * (uint64_t) size;
}

/*
 * Reads what has arrived, verifies it, and sends a new message for each one answered. Returns whether the
 * socket may hold more: edge-triggered epoll reports a socket again only when new data arrives, so a read
 * that filled the whole buffer must be followed by another (a shorter one emptied the receive queue).
 */
static bool on_readable(struct worker *w, struct conn *c, bool measuring)
{
    ssize_t n = recv(c->fd, w->rbuf, READ_BUF, MSG_DONTWAIT);
    if (n <= 0) {
        if (n < 0 && errno == EINTR)
            return true;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return false;
        if (atomic_load_explicit(&phase, memory_order_relaxed) != STOP)
            fail(c, "connection %d %s after %llu bytes", c->id,
                 n == 0 ? "closed by the server" : strerror(errno), (unsigned long long) c->received);
        return false;
    }
    uint64_t now = mono_ns();
    if (c->received + (uint64_t) n > c->written) {
        fail(c, "connection %d received %llu bytes more than it sent", c->id,
             (unsigned long long) (c->received + (uint64_t) n - c->written));
        return false;
    }
    for (ssize_t i = 0; i < n; i++) {
        unsigned char want = pattern(c->id, c->received + (uint64_t) i);
        if (w->rbuf[i] != want) {
            fail(c, "echo mismatch on connection %d at byte %llu: expected %d, got %d", c->id,
                 (unsigned long long) (c->received + (uint64_t) i), (signed char) want, (signed char) w->rbuf[i]);
            return false;
        }
    }
    uint64_t done = (c->received + (uint64_t) n) / (uint64_t) size - c->received / (uint64_t) size;
    c->received += (uint64_t) n;
    for (uint64_t i = 0; i < done; i++) {
        uint64_t latency = now - c->sent_at[c->msgs_answered++ % (uint64_t) depth];
        if (measuring)
            w->hist[bucket_of(latency < HIGHEST_LATENCY_NS ? latency : HIGHEST_LATENCY_NS)]++;
    }
    if (done) {
        atomic_store_explicit(&w->answered, atomic_load_explicit(&w->answered, memory_order_relaxed) + done,
                              memory_order_relaxed);
        schedule(c, done, now);
        flush_out(w, c);
    }
    return n == READ_BUF && !c->dead;
}

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    struct epoll_event events[MAX_EVENTS];
    uint64_t now = mono_ns();
    for (int i = 0; i < w->nconns; i++) {
        schedule(&w->conns[i], (uint64_t) depth, now);
        flush_out(w, &w->conns[i]);
    }
    int p;
    while ((p = atomic_load_explicit(&phase, memory_order_relaxed)) != STOP) {
        bool measuring = p == MEASURE;
        /* the timeout only bounds how late a stop is seen */
        int n = epoll_wait(w->epfd, events, MAX_EVENTS, 100);
        if (n < 0 && errno != EINTR) {
            perror("epoll_wait");
            exit(1);
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (!c->dead && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                while (on_readable(w, c, measuring))
                    ;
            if (!c->dead && (events[i].events & EPOLLOUT))
                flush_out(w, c);
        }
    }
    return NULL;
}

static int open_connection(int port, int index, int total)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, "error: socket (%d of %d connections open): %s\n", index, total, strerror(errno));
        exit(1);
    }
    /* a blocking connect, bounded: a server that never answers is an error, not a hang */
    struct timeval tv = { .tv_sec = CONNECT_TIMEOUT_S };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
        fprintf(stderr, "error: cannot connect to 127.0.0.1:%d (%d of %d connections open): %s\n", port, index,
                total, strerror(errno));
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = { .tv_sec = (time_t) (ns / 1000000000u), .tv_nsec = (long) (ns % 1000000000u) };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static uint64_t answered_total(struct worker *workers, int nthreads)
{
    uint64_t sum = 0;
    for (int t = 0; t < nthreads; t++)
        sum += atomic_load_explicit(&workers[t].answered, memory_order_relaxed);
    return sum;
}

static bool parse(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static void usage(const char *why)
{
    fprintf(stderr, "error: %s\n"
                    "usage: epoll-load PORT CONNECTIONS SIZE DEPTH WARMUP_S MEASURE_S [THREADS]\n"
                    "  PORT 1..65535 on 127.0.0.1; CONNECTIONS 1..100000; SIZE bytes per message 1..1048576;\n"
                    "  DEPTH messages in flight per connection 1..4096 (1: ping-pong); WARMUP_S 0..86400;\n"
                    "  MEASURE_S 1..86400; THREADS 1..256 (default 1)\n", why);
    exit(2);
}

int main(int argc, char **argv)
{
    long port, conns, sz, dp, warmup, measure, nthreads = 1;
    if (argc != 7 && argc != 8)
        usage("expected 6 or 7 arguments");
    if (!parse(argv[1], 1, 65535, &port))
        usage("PORT must be between 1 and 65535");
    if (!parse(argv[2], 1, 100000, &conns))
        usage("CONNECTIONS must be between 1 and 100000");
    if (!parse(argv[3], 1, 1 << 20, &sz))
        usage("SIZE must be between 1 and 1048576");
    if (!parse(argv[4], 1, 4096, &dp))
        usage("DEPTH must be between 1 and 4096");
    if (!parse(argv[5], 0, 86400, &warmup))
        usage("WARMUP_S must be between 0 and 86400");
    if (!parse(argv[6], 1, 86400, &measure))
        usage("MEASURE_S must be between 1 and 86400");
    if (argc == 8 && !parse(argv[7], 1, 256, &nthreads))
        usage("THREADS must be between 1 and 256");
    if (nthreads > conns)
        nthreads = conns;
    size = (int) sz;
    depth = (int) dp;
    signal(SIGPIPE, SIG_IGN);
    raise_nofile();

    struct worker *workers = calloc((size_t) nthreads, sizeof *workers);
    struct conn *all = calloc((size_t) conns, sizeof *all);
    uint64_t *times = calloc((size_t) conns * (size_t) depth, sizeof *times);
    if (!workers || !all || !times) {
        fprintf(stderr, "error: out of memory for %ld connections x %ld in flight\n", conns, dp);
        exit(1);
    }
    /* contiguous runs of connections per thread */
    for (long t = 0, first = 0; t < nthreads; t++) {
        struct worker *w = &workers[t];
        long count = conns / nthreads + (t < conns % nthreads ? 1 : 0);
        w->conns = all + first;
        w->nconns = (int) count;
        first += count;
        w->rbuf = malloc(READ_BUF);
        w->wbuf = malloc(WRITE_BUF);
        w->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (!w->rbuf || !w->wbuf || w->epfd < 0) {
            fprintf(stderr, "error: cannot set up thread %ld: %s\n", t, strerror(errno));
            exit(1);
        }
    }
    for (long i = 0; i < conns; i++) {
        struct conn *c = &all[i];
        c->id = (int) i;
        c->sent_at = times + (size_t) i * (size_t) depth;
        c->fd = open_connection((int) port, (int) i, (int) conns);
    }
    for (long t = 0; t < nthreads; t++) {
        struct worker *w = &workers[t];
        for (int i = 0; i < w->nconns; i++) {
            struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.ptr = &w->conns[i] };
            if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->conns[i].fd, &ev) < 0) {
                perror("epoll_ctl");
                exit(1);
            }
        }
    }
    for (long t = 0; t < nthreads; t++) {
        int err = pthread_create(&workers[t].thread, NULL, run_worker, &workers[t]);
        if (err) {
            fprintf(stderr, "error: pthread_create: %s\n", strerror(err));
            exit(1);
        }
    }

    sleep_ns((uint64_t) warmup * 1000000000u);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    atomic_store(&phase, MEASURE);
    uint64_t start = mono_ns();
    uint64_t start_cpu = process_cpu_ns();
    uint64_t start_count = answered_total(workers, (int) nthreads);
    printf("measure-start epochMs=%lld\n", (long long) wall.tv_sec * 1000 + wall.tv_nsec / 1000000);
    fflush(stdout);
    sleep_ns((uint64_t) measure * 1000000000u);
    uint64_t count = answered_total(workers, (int) nthreads) - start_count;
    double seconds = (double) (mono_ns() - start) / 1e9;
    /* taken here, before the workers stop and exit: their time would vanish from a later look at /proc */
    double cpu_seconds = (double) (process_cpu_ns() - start_cpu) / 1e9;
    atomic_store(&phase, STOP);
    static uint64_t hist[BUCKETS];
    for (long t = 0; t < nthreads; t++) {
        pthread_join(workers[t].thread, NULL);
        for (unsigned b = 0; b < BUCKETS; b++)
            hist[b] += workers[t].hist[b];
    }
    uint64_t errs = atomic_load(&errors);
    printf("result roundTrips=%llu seconds=%.3f errors=%llu p50us=%.1f p99us=%.1f p999us=%.1f cpuSeconds=%.3f\n",
           (unsigned long long) count, seconds, (unsigned long long) errs, percentile_us(hist, 50),
           percentile_us(hist, 99), percentile_us(hist, 99.9), cpu_seconds);
    fflush(stdout);
    /* the connections close with the process */
    return errs == 0 ? 0 : 1;
}
