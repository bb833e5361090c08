/*
 * file-send-strategies: the CPU cost, in the kernel, of each way a server can send a file that is hot in the
 * page cache to a TCP socket, measured over loopback on one connection.
 *
 * Ways ("modes") measured, for every file given on the command line:
 *   pread+send      pread the whole file into a user buffer the size of the file, then send(2) the buffer
 *                   (two copies: page cache -> buffer -> socket buffer);
 *   mmap+send zc    send(2) straight from an mmap of the file (mapped once, before the measurement) with
 *                   MSG_ZEROCOPY (SO_ZEROCOPY set on the socket). The completion notifications are reaped from
 *                   the socket's error queue with recvmsg(MSG_ERRQUEUE) whenever 32 or more are outstanding,
 *                   when send fails with ENOBUFS, and at the end; the table counts how many send calls were
 *                   reported SO_EE_CODE_ZEROCOPY_COPIED (on loopback the kernel copies the pages when it hands
 *                   the packet to the receiving socket, so all of them are expected to be);
 *   mmap+send       plain send(2) from the same mapping (one copy: mapping -> socket buffer);
 *   sendfile        sendfile(2) from the file descriptor;
 *   splice          splice(2) file -> pipe (default pipe size) -> socket in chunks of 64 KiB, with
 *                   SPLICE_F_MORE on the pipe -> socket splice while more of the file follows (what sendfile
 *                   does inside the kernel).
 * Each mode runs once without and once with TCP_CORK around every file (setsockopt on before the file, off
 * after it). The sending socket has TCP_NODELAY set, as servers (and this library, by default) do, so without
 * the cork a send is pushed at once, unless the kernel's autocorking (net.ipv4.tcp_autocorking) holds a small
 * one back while earlier packets of the socket are still queued for transmission.
 *
 * One measurement (mode, file, cork): a receiver child is forked and pinned to the receiver CPU (default 1);
 * it connects to the sender over 127.0.0.1 and read(2)s everything into an 8 KiB buffer until end of file,
 * as a load generator such as wrk does, checks the byte count and the content of the first and the last copy
 * of the file, and reports its own CPU time (getrusage RUSAGE_SELF, from after connect to end of file) and
 * its socket's segment count (TCP_INFO tcpi_segs_out: its ACKs) through a pipe. The sender (this process,
 * pinned to the sender CPU, default 0) accepts, sends the file N times back to back on the blocking socket,
 * waits for every zero-copy notification, shuts the socket down for writing and waits for the receiver's
 * report. N = max(ceil(bytes per measurement / file size), minimum sends), by default ~2 GiB and at least
 * 2,000 sends.
 * Reported per send (and per byte): sender CPU (getrusage RUSAGE_SELF utime+stime over the sends), receiver
 * CPU, their sum, sender ns per byte, GB/s (10^9 bytes per second of wall time, CLOCK_MONOTONIC, from the
 * first send to the receiver's report), TCP segments sent on the whole machine (/proc/net/snmp Tcp: OutSegs,
 * which counts the data segments and the receiver's ACKs both, and anything else on the machine), the sender
 * socket's data segments (TCP_INFO tcpi_data_segs_out) and the receiver's segments (its ACKs). Loopback
 * segments can be up to 64 KiB (the MTU of lo).
 * On loopback a packet's receive processing runs in the softirq of the side that transmitted it (data: the
 * sender; ACKs: the receiver), or later in the other side's process when its socket was busy and the packet
 * waited in the socket backlog. So a mode can move cost from one side to the other, and the sum of the two
 * is the figure to compare. Softirq work is charged to the task it interrupts when the kernel is built
 * without CONFIG_IRQ_TIME_ACCOUNTING (see /proc/config.gz); work deferred to ksoftirqd is counted by neither
 * side.
 *
 * Every (mode, file, cork) is measured ROUNDS times (default 3), interleaved: a round measures every file,
 * with and without the cork, every mode in turn (the order of the modes rotates by one each round). The
 * table gives the median and, in brackets, the minimum and maximum over the rounds. It is written to stdout
 * as markdown; progress goes to stderr.
 *
 * Build: gcc -std=c11 -O2 -Wall -Wextra -Werror -o file-send-strategies file-send-strategies.c
 * Run:   file-send-strategies [-q] [-b BYTES] [-m MIN_SENDS] [-r ROUNDS] [-s SENDER_CPU] [-c RECEIVER_CPU] FILE...
 *        -b bytes per measurement (suffix K, M or G, powers of 1024; default 2G), -m minimum sends per
 *        measurement (default 2000), -r rounds (default 3), -q quick check: 50M per measurement, at least 10
 *        sends, 1 round (explicit -b, -m, -r still win). The files should be in the page cache (cat them to
 *        /dev/null first). file-send-strategies.sh next to this file builds it, makes the files (1 KiB to
 *        4 MiB), warms them and runs it.
 * Exit status: 0 on success, 1 on any failed system call or check, 2 on bad arguments. Linux only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/errqueue.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

enum { MODE_PREAD, MODE_MMAP_ZC, MODE_MMAP, MODE_SENDFILE, MODE_SPLICE, MODE_COUNT };
static const char *const MODE_NAMES[MODE_COUNT] = {
    "pread+send", "mmap+send MSG_ZEROCOPY", "mmap+send", "sendfile", "splice file>pipe>socket",
};

enum { MAX_FILES = 32, MAX_ROUNDS = 99 };
#define RECEIVE_BUFFER_SIZE 8192
#define SPLICE_CHUNK (64 * 1024)
#define ZC_REAP_BATCH 32
#define ZC_WAIT_MS 10000
#define CONNECT_WAIT_MS 10000

struct file {
    const char *path;
    int fd;
    size_t size;
    unsigned char *map;
};

/* What the receiver child reports through the pipe at the end of a measurement. */
struct report {
    uint64_t bytes;
    uint64_t cpu_ns;
    uint64_t segs_out;
};

struct result {
    uint64_t sends;
    double sender_us;   /* sender CPU per send */
    double receiver_us; /* receiver CPU per send */
    double ns_per_byte; /* sender CPU per byte */
    double gbps;
    double out_segs;     /* /proc/net/snmp Tcp OutSegs per send */
    double data_segs;    /* sender TCP_INFO tcpi_data_segs_out per send */
    double receiver_segs; /* receiver TCP_INFO tcpi_segs_out per send */
    uint64_t zc_sends;   /* MSG_ZEROCOPY send calls (notification ids) */
    uint64_t zc_copied;  /* ids reported SO_EE_CODE_ZEROCOPY_COPIED */
    uint64_t zc_notes;   /* notifications read from the error queue */
};

struct zc_state {
    uint64_t issued;    /* ids handed out: successful MSG_ZEROCOPY send calls */
    uint64_t completed; /* ids covered by the notifications read */
    uint64_t copied;    /* of those, ids reported SO_EE_CODE_ZEROCOPY_COPIED */
    uint64_t notes;     /* notifications read (the kernel merges consecutive ids into one) */
};

static bool in_child;
static pid_t child_pid = -1;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(in_child ? "file-send-strategies (receiver): " : "file-send-strategies: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (in_child)
        _exit(1);
    if (child_pid > 0) {
        kill(child_pid, SIGKILL);
        while (waitpid(child_pid, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    exit(1);
}

#define DIE_ERRNO(what) die("%s: %s (%s:%d)", (what), strerror(errno), __FILE__, __LINE__)

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("file-send-strategies: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nusage: file-send-strategies [-q] [-b BYTES] [-m MIN_SENDS] [-r ROUNDS] [-s SENDER_CPU]"
          " [-c RECEIVER_CPU] FILE...\n",
          stderr);
    exit(2);
}

static void close_or_die(int fd)
{
    if (close(fd) != 0)
        DIE_ERRNO("close");
}

/* A count with an optional K, M or G (powers of 1024) suffix; 0 and overflow rejected. */
static uint64_t parse_count(const char *s, const char *what, bool suffix_allowed)
{
    if (*s < '0' || *s > '9')
        usage_error("%s: not a number: '%s'", what, s);
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0)
        usage_error("%s: out of range: '%s'", what, s);
    uint64_t mult = 1;
    if (suffix_allowed && *end != '\0' && end[1] == '\0') {
        switch (*end) {
        case 'K': case 'k': mult = 1ULL << 10; end++; break;
        case 'M': case 'm': mult = 1ULL << 20; end++; break;
        case 'G': case 'g': mult = 1ULL << 30; end++; break;
        default: break;
        }
    }
    if (*end != '\0')
        usage_error("%s: not a number: '%s'", what, s);
    if (v == 0)
        usage_error("%s: must be greater than 0", what);
    if (v > UINT64_MAX / mult)
        usage_error("%s: out of range: '%s'", what, s);
    return (uint64_t)v * mult;
}

static void pin_to_cpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        die("sched_setaffinity(CPU %d): %s", cpu, strerror(errno));
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        DIE_ERRNO("clock_gettime");
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns_self(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        DIE_ERRNO("getrusage");
    uint64_t us = (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec
                  + (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec;
    return us * 1000u;
}

static struct tcp_info tcp_info_of(int sock)
{
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    socklen_t len = sizeof ti;
    if (getsockopt(sock, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
        DIE_ERRNO("getsockopt(TCP_INFO)");
    if (len < offsetof(struct tcp_info, tcpi_data_segs_out) + sizeof ti.tcpi_data_segs_out)
        die("getsockopt(TCP_INFO): kernel returned %u bytes, too old for tcpi_data_segs_out", (unsigned)len);
    return ti;
}

/* Tcp: OutSegs from /proc/net/snmp (a header line of names, then a line of values). */
static uint64_t snmp_out_segs(void)
{
    int fd = open("/proc/net/snmp", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        DIE_ERRNO("open /proc/net/snmp");
    char buf[16384];
    size_t len = 0;
    for (;;) {
        if (len == sizeof buf - 1)
            die("/proc/net/snmp: larger than %zu bytes", sizeof buf - 1);
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            DIE_ERRNO("read /proc/net/snmp");
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close_or_die(fd);
    buf[len] = '\0';
    char *names = strstr(buf, "\nTcp: ");
    if (names == NULL)
        die("/proc/net/snmp: no Tcp: line");
    names++;
    char *names_end = strchr(names, '\n');
    if (names_end == NULL || strncmp(names_end + 1, "Tcp: ", 5) != 0)
        die("/proc/net/snmp: no Tcp: values line");
    char *values = names_end + 1;
    char *values_end = strchr(values, '\n');
    if (values_end != NULL)
        *values_end = '\0';
    *names_end = '\0';
    char *save_names, *save_values;
    char *name = strtok_r(names, " ", &save_names);
    char *value = strtok_r(values, " ", &save_values);
    while (name != NULL && value != NULL) {
        if (strcmp(name, "OutSegs") == 0) {
            errno = 0;
            char *end;
            unsigned long long v = strtoull(value, &end, 10);
            if (errno != 0 || *end != '\0')
                die("/proc/net/snmp: bad OutSegs value '%s'", value);
            return (uint64_t)v;
        }
        name = strtok_r(NULL, " ", &save_names);
        value = strtok_r(NULL, " ", &save_values);
    }
    die("/proc/net/snmp: no OutSegs in the Tcp: lines");
}

static void set_int_option(int sock, int level, int name, int value, const char *what)
{
    if (setsockopt(sock, level, name, &value, sizeof value) != 0)
        DIE_ERRNO(what);
}

static void read_full(int fd, void *p, size_t len, const char *what)
{
    unsigned char *b = p;
    while (len > 0) {
        ssize_t n = read(fd, b, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            DIE_ERRNO(what);
        }
        if (n == 0)
            die("%s: unexpected end of file", what);
        b += n;
        len -= (size_t)n;
    }
}

static void write_full(int fd, const void *p, size_t len, const char *what)
{
    const unsigned char *b = p;
    while (len > 0) {
        ssize_t n = write(fd, b, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            DIE_ERRNO(what);
        }
        b += n;
        len -= (size_t)n;
    }
}

/* ---- receiver (child) ---- */

/* Compares the part of the received chunk [pos, pos + n) that falls in the first or the last copy of the
 * file (stream offsets [0, size) and [total - size, total)) with the file. */
static void verify_chunk(const unsigned char *chunk, uint64_t pos, size_t n, const struct file *f, uint64_t total)
{
    const uint64_t windows[2][2] = { { 0, f->size }, { total - f->size, total } };
    for (int w = 0; w < 2; w++) {
        uint64_t lo = pos > windows[w][0] ? pos : windows[w][0];
        uint64_t hi = pos + n < windows[w][1] ? pos + n : windows[w][1];
        for (uint64_t q = lo; q < hi;) {
            size_t off = (size_t)(q % f->size);
            size_t len = f->size - off;
            if (len > hi - q)
                len = (size_t)(hi - q);
            if (memcmp(chunk + (q - pos), f->map + off, len) != 0)
                die("received bytes at stream offset %" PRIu64 " differ from %s at offset %zu", q, f->path, off);
            q += len;
        }
    }
}

static void receiver(int listener, int report_fd, int cpu, const struct sockaddr_in *addr, const struct file *f,
                     uint64_t total)
{
    in_child = true;
    close_or_die(listener);
    pin_to_cpu(cpu);
    int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        DIE_ERRNO("socket");
    while (connect(sock, (const struct sockaddr *)addr, sizeof *addr) != 0) {
        if (errno != EINTR)
            DIE_ERRNO("connect");
    }
    static unsigned char buf[RECEIVE_BUFFER_SIZE];
    uint64_t cpu0 = cpu_ns_self();
    struct tcp_info ti0 = tcp_info_of(sock);
    uint64_t received = 0;
    for (;;) {
        ssize_t n = read(sock, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            DIE_ERRNO("read");
        }
        if (n == 0)
            break;
        if (received + (uint64_t)n > total)
            die("received more than the %" PRIu64 " bytes sent", total);
        if (received < f->size || received + (uint64_t)n > total - f->size)
            verify_chunk(buf, received, (size_t)n, f, total);
        received += (uint64_t)n;
    }
    uint64_t cpu1 = cpu_ns_self();
    struct tcp_info ti1 = tcp_info_of(sock);
    struct report r = {
        .bytes = received,
        .cpu_ns = cpu1 - cpu0,
        .segs_out = (uint32_t)(ti1.tcpi_segs_out - ti0.tcpi_segs_out),
    };
    close_or_die(sock);
    write_full(report_fd, &r, sizeof r, "write report");
    close_or_die(report_fd);
    _exit(0);
}

/* ---- sender ---- */

static void send_all(int sock, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(sock, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            DIE_ERRNO("send");
        }
        if (n == 0)
            die("send: sent 0 bytes");
        p += n;
        len -= (size_t)n;
    }
}

/* Reads every zero-copy notification queued on the socket's error queue; with wait, first waits (poll) until
 * at least one is there. */
static void zc_reap(int sock, struct zc_state *zc, bool wait)
{
    for (;;) {
        bool got = false;
        for (;;) {
            char control[256];
            struct msghdr msg;
            memset(&msg, 0, sizeof msg);
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            ssize_t n = recvmsg(sock, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                DIE_ERRNO("recvmsg(MSG_ERRQUEUE)");
            }
            if (msg.msg_flags & MSG_CTRUNC)
                die("recvmsg(MSG_ERRQUEUE): control data truncated");
            bool seen = false;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
                if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR)
                      || (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
                    continue;
                struct sock_extended_err serr;
                memcpy(&serr, CMSG_DATA(c), sizeof serr);
                if (serr.ee_origin != SO_EE_ORIGIN_ZEROCOPY || serr.ee_errno != 0)
                    die("error queue: not a zero-copy notification (origin %u, errno %u: %s)",
                        (unsigned)serr.ee_origin, (unsigned)serr.ee_errno, strerror((int)serr.ee_errno));
                /* ids [ee_info, ee_data], inclusive, counted modulo 2^32 */
                uint32_t lo = serr.ee_info, hi = serr.ee_data;
                uint64_t count = (uint64_t)(uint32_t)(hi - lo) + 1;
                if (count > zc->issued - zc->completed)
                    die("zero-copy notification for ids %" PRIu32 "..%" PRIu32 ": more than the %" PRIu64
                        " outstanding", lo, hi, zc->issued - zc->completed);
                zc->completed += count;
                zc->notes++;
                if (serr.ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
                    zc->copied += count;
                seen = true;
            }
            if (!seen)
                die("recvmsg(MSG_ERRQUEUE): no IP_RECVERR control message");
            got = true;
        }
        if (!wait || got)
            return;
        struct pollfd pfd = { .fd = sock, .events = POLLERR };
        int r = poll(&pfd, 1, ZC_WAIT_MS);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            DIE_ERRNO("poll");
        }
        if (r == 0)
            die("no zero-copy notification within %d ms (%" PRIu64 " of %" PRIu64 " ids outstanding)", ZC_WAIT_MS,
                zc->issued - zc->completed, zc->issued);
    }
}

static void send_all_zerocopy(int sock, const unsigned char *p, size_t len, struct zc_state *zc)
{
    while (len > 0) {
        ssize_t n = send(sock, p, len, MSG_ZEROCOPY | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS) {
                /* Too much option memory held by notifications not yet read: read them and retry. */
                if (zc->issued == zc->completed)
                    die("send(MSG_ZEROCOPY): ENOBUFS with no notification outstanding");
                zc_reap(sock, zc, true);
                continue;
            }
            DIE_ERRNO("send(MSG_ZEROCOPY)");
        }
        if (n == 0)
            die("send(MSG_ZEROCOPY): sent 0 bytes");
        zc->issued++;
        p += n;
        len -= (size_t)n;
    }
    if (zc->issued - zc->completed >= ZC_REAP_BATCH)
        zc_reap(sock, zc, false);
}

static void send_pread(int sock, const struct file *f, unsigned char *buf)
{
    size_t done = 0;
    while (done < f->size) {
        ssize_t n = pread(f->fd, buf + done, f->size - done, (off_t)done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            DIE_ERRNO("pread");
        }
        if (n == 0)
            die("pread %s: unexpected end of file at %zu", f->path, done);
        done += (size_t)n;
    }
    send_all(sock, buf, f->size);
}

static void send_sendfile(int sock, const struct file *f)
{
    off_t off = 0;
    while ((size_t)off < f->size) {
        ssize_t n = sendfile(sock, f->fd, &off, f->size - (size_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            DIE_ERRNO("sendfile");
        }
        if (n == 0)
            die("sendfile %s: sent 0 bytes at %lld", f->path, (long long)off);
    }
}

static void send_splice(int sock, const struct file *f, int pipe_r, int pipe_w)
{
    loff_t off = 0;
    size_t left = f->size;
    while (left > 0) {
        size_t want = left < SPLICE_CHUNK ? left : SPLICE_CHUNK;
        ssize_t in = splice(f->fd, &off, pipe_w, NULL, want, SPLICE_F_MOVE);
        if (in < 0) {
            if (errno == EINTR)
                continue;
            DIE_ERRNO("splice file -> pipe");
        }
        if (in == 0)
            die("splice %s -> pipe: unexpected end of file at %lld", f->path, (long long)off);
        left -= (size_t)in;
        size_t in_pipe = (size_t)in;
        while (in_pipe > 0) {
            unsigned flags = SPLICE_F_MOVE | (left > 0 ? SPLICE_F_MORE : 0);
            ssize_t out = splice(pipe_r, NULL, sock, NULL, in_pipe, flags);
            if (out < 0) {
                if (errno == EINTR)
                    continue;
                DIE_ERRNO("splice pipe -> socket");
            }
            if (out == 0)
                die("splice pipe -> socket: sent 0 bytes");
            in_pipe -= (size_t)out;
        }
    }
}

struct config {
    uint64_t bytes;
    uint64_t min_sends;
    unsigned rounds;
    int sender_cpu;
    int receiver_cpu;
};

static struct result measure(int listener, const struct sockaddr_in *addr, const struct config *cfg, int mode,
                             const struct file *f, bool cork, unsigned char *read_buf)
{
    uint64_t sends = (cfg->bytes + f->size - 1) / f->size;
    if (sends < cfg->min_sends)
        sends = cfg->min_sends;
    if (sends > UINT64_MAX / f->size)
        die("%s: %" PRIu64 " sends of %zu bytes overflow", f->path, sends, f->size);
    uint64_t total = sends * f->size;

    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0)
        DIE_ERRNO("pipe2");
    if (fflush(stdout) != 0 || fflush(stderr) != 0)
        DIE_ERRNO("fflush");
    pid_t pid = fork();
    if (pid < 0)
        DIE_ERRNO("fork");
    if (pid == 0) {
        close_or_die(report[0]);
        receiver(listener, report[1], cfg->receiver_cpu, addr, f, total);
    }
    child_pid = pid;
    close_or_die(report[1]);

    /* Wait for the receiver's connection, or for its end (the report pipe closing) if it failed first. */
    for (;;) {
        struct pollfd pfds[2] = { { .fd = listener, .events = POLLIN }, { .fd = report[0], .events = POLLIN } };
        int ready = poll(pfds, 2, CONNECT_WAIT_MS);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            DIE_ERRNO("poll");
        }
        if (ready == 0)
            die("the receiver did not connect within %d ms", CONNECT_WAIT_MS);
        if (pfds[0].revents & POLLIN)
            break;
        if (pfds[1].revents != 0)
            die("the receiver ended before it connected");
    }
    int sock;
    while ((sock = accept4(listener, NULL, NULL, SOCK_CLOEXEC)) < 0) {
        if (errno != EINTR)
            DIE_ERRNO("accept4");
    }
    set_int_option(sock, IPPROTO_TCP, TCP_NODELAY, 1, "setsockopt(TCP_NODELAY)");
    if (mode == MODE_MMAP_ZC)
        set_int_option(sock, SOL_SOCKET, SO_ZEROCOPY, 1, "setsockopt(SO_ZEROCOPY)");
    int pipe_fds[2] = { -1, -1 };
    if (mode == MODE_SPLICE && pipe2(pipe_fds, O_CLOEXEC) != 0)
        DIE_ERRNO("pipe2");
    struct zc_state zc;
    memset(&zc, 0, sizeof zc);

    uint64_t segs0 = snmp_out_segs();
    struct tcp_info ti0 = tcp_info_of(sock);
    uint64_t cpu0 = cpu_ns_self();
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < sends; i++) {
        if (cork)
            set_int_option(sock, IPPROTO_TCP, TCP_CORK, 1, "setsockopt(TCP_CORK, 1)");
        switch (mode) {
        case MODE_PREAD: send_pread(sock, f, read_buf); break;
        case MODE_MMAP_ZC: send_all_zerocopy(sock, f->map, f->size, &zc); break;
        case MODE_MMAP: send_all(sock, f->map, f->size); break;
        case MODE_SENDFILE: send_sendfile(sock, f); break;
        case MODE_SPLICE: send_splice(sock, f, pipe_fds[0], pipe_fds[1]); break;
        default: die("unknown mode %d", mode);
        }
        if (cork)
            set_int_option(sock, IPPROTO_TCP, TCP_CORK, 0, "setsockopt(TCP_CORK, 0)");
    }
    while (zc.issued != zc.completed)
        zc_reap(sock, &zc, true);
    if (shutdown(sock, SHUT_WR) != 0)
        DIE_ERRNO("shutdown");
    struct report r;
    read_full(report[0], &r, sizeof r, "read receiver report");
    uint64_t t1 = now_ns();
    uint64_t cpu1 = cpu_ns_self();
    struct tcp_info ti1 = tcp_info_of(sock);
    uint64_t segs1 = snmp_out_segs();

    close_or_die(sock);
    close_or_die(report[0]);
    if (pipe_fds[0] >= 0) {
        close_or_die(pipe_fds[0]);
        close_or_die(pipe_fds[1]);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            DIE_ERRNO("waitpid");
    }
    child_pid = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("receiver exited abnormally (status 0x%x)", (unsigned)status);
    if (r.bytes != total)
        die("receiver got %" PRIu64 " bytes, %" PRIu64 " were sent", r.bytes, total);
    if (mode == MODE_MMAP_ZC && zc.issued == 0)
        die("no MSG_ZEROCOPY send was made");

    double n = (double)sends;
    double sender_ns = (double)(cpu1 - cpu0);
    struct result res = {
        .sends = sends,
        .sender_us = sender_ns / n / 1e3,
        .receiver_us = (double)r.cpu_ns / n / 1e3,
        .ns_per_byte = sender_ns / (double)total,
        .gbps = (double)total / (double)(t1 - t0),
        .out_segs = (double)(segs1 - segs0) / n,
        .data_segs = (double)(uint32_t)(ti1.tcpi_data_segs_out - ti0.tcpi_data_segs_out) / n,
        .receiver_segs = (double)r.segs_out / n,
        .zc_sends = zc.issued,
        .zc_copied = zc.copied,
        .zc_notes = zc.notes,
    };
    return res;
}

/* ---- output ---- */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void format_number(char *out, size_t cap, double v)
{
    double a = v < 0 ? -v : v;
    if (a >= 100)
        snprintf(out, cap, "%.0f", v);
    else if (a >= 10)
        snprintf(out, cap, "%.1f", v);
    else if (a >= 1)
        snprintf(out, cap, "%.2f", v);
    else
        snprintf(out, cap, "%.3f", v);
}

/* "median (min–max)" of values[0..n). */
static void print_stat(double *values, unsigned n)
{
    qsort(values, n, sizeof *values, compare_doubles);
    double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    char m[32], lo[32], hi[32];
    format_number(m, sizeof m, median);
    format_number(lo, sizeof lo, values[0]);
    format_number(hi, sizeof hi, values[n - 1]);
    if (n == 1)
        printf(" %s |", m);
    else
        printf(" %s (%s–%s) |", m, lo, hi);
}

static void format_size(char *out, size_t cap, size_t size)
{
    if (size >= (1u << 20) && size % (1u << 20) == 0)
        snprintf(out, cap, "%zu MiB", size >> 20);
    else if (size >= 1024 && size % 1024 == 0)
        snprintf(out, cap, "%zu KiB", size >> 10);
    else
        snprintf(out, cap, "%zu B", size);
}

int main(int argc, char **argv)
{
    struct config cfg = { .bytes = 2ULL << 30, .min_sends = 2000, .rounds = 3, .sender_cpu = 0, .receiver_cpu = 1 };
    bool quick = false, bytes_set = false, min_set = false, rounds_set = false;
    int opt;
    while ((opt = getopt(argc, argv, "qb:m:r:s:c:h")) != -1) {
        switch (opt) {
        case 'q': quick = true; break;
        case 'b': cfg.bytes = parse_count(optarg, "-b", true); bytes_set = true; break;
        case 'm': cfg.min_sends = parse_count(optarg, "-m", false); min_set = true; break;
        case 'r': {
            uint64_t r = parse_count(optarg, "-r", false);
            if (r > MAX_ROUNDS)
                usage_error("-r: at most %d rounds", MAX_ROUNDS);
            cfg.rounds = (unsigned)r;
            rounds_set = true;
            break;
        }
        case 's': case 'c': {
            errno = 0;
            char *end;
            long cpu = strtol(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || cpu < 0 || cpu >= CPU_SETSIZE)
                usage_error("-%c: not a CPU number: '%s'", opt, optarg);
            if (opt == 's')
                cfg.sender_cpu = (int)cpu;
            else
                cfg.receiver_cpu = (int)cpu;
            break;
        }
        case 'h':
        default: usage_error("bad option");
        }
    }
    if (quick) {
        if (!bytes_set)
            cfg.bytes = 50ULL << 20;
        if (!min_set)
            cfg.min_sends = 10;
        if (!rounds_set)
            cfg.rounds = 1;
    }
    int nfiles = argc - optind;
    if (nfiles < 1)
        usage_error("no file given");
    if (nfiles > MAX_FILES)
        usage_error("at most %d files", MAX_FILES);
    if (cfg.sender_cpu == cfg.receiver_cpu)
        usage_error("sender and receiver CPU are both %d", cfg.sender_cpu);

    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        DIE_ERRNO("signal(SIGPIPE)");
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        DIE_ERRNO("sched_getaffinity");
    if (!CPU_ISSET(cfg.sender_cpu, &allowed) || !CPU_ISSET(cfg.receiver_cpu, &allowed))
        die("CPU %d (sender) and CPU %d (receiver) must both be online and allowed for this process (it may use %d"
            " CPUs)", cfg.sender_cpu, cfg.receiver_cpu, CPU_COUNT(&allowed));
    pin_to_cpu(cfg.sender_cpu);

    struct file files[MAX_FILES];
    size_t largest = 0;
    for (int i = 0; i < nfiles; i++) {
        struct file *f = &files[i];
        f->path = argv[optind + i];
        f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
        if (f->fd < 0)
            die("open %s: %s", f->path, strerror(errno));
        struct stat st;
        if (fstat(f->fd, &st) != 0)
            die("fstat %s: %s", f->path, strerror(errno));
        if (!S_ISREG(st.st_mode))
            die("%s: not a regular file", f->path);
        if (st.st_size <= 0)
            die("%s: empty", f->path);
        if ((uint64_t)st.st_size > (uint64_t)1 << 30)
            die("%s: larger than 1 GiB", f->path);
        f->size = (size_t)st.st_size;
        void *map = mmap(NULL, f->size, PROT_READ, MAP_SHARED | MAP_POPULATE, f->fd, 0);
        if (map == MAP_FAILED)
            die("mmap %s: %s", f->path, strerror(errno));
        f->map = map;
        if (f->size > largest)
            largest = f->size;
    }
    unsigned char *read_buf = malloc(largest);
    if (read_buf == NULL)
        die("malloc(%zu) failed", largest);
    memset(read_buf, 0, largest); /* fault the buffer in before any measurement */

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0)
        DIE_ERRNO("socket");
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0)
        DIE_ERRNO("bind 127.0.0.1:0");
    socklen_t addr_len = sizeof addr;
    if (getsockname(listener, (struct sockaddr *)&addr, &addr_len) != 0)
        DIE_ERRNO("getsockname");
    if (listen(listener, 1) != 0)
        DIE_ERRNO("listen");

    int probe[2];
    if (pipe2(probe, O_CLOEXEC) != 0)
        DIE_ERRNO("pipe2");
    int pipe_size = fcntl(probe[0], F_GETPIPE_SZ);
    if (pipe_size < 0)
        DIE_ERRNO("fcntl(F_GETPIPE_SZ)");
    close_or_die(probe[0]);
    close_or_die(probe[1]);

    size_t cells = (size_t)cfg.rounds * (size_t)nfiles * 2 * MODE_COUNT;
    struct result *results = calloc(cells, sizeof *results);
    if (results == NULL)
        die("calloc(%zu results) failed", cells);
#define AT(round, file, cork, mode) \
    results[(((size_t)(round) * (size_t)nfiles + (size_t)(file)) * 2 + (size_t)(cork)) * MODE_COUNT + (size_t)(mode)]

    uint64_t start = now_ns();
    size_t done = 0;
    for (unsigned round = 0; round < cfg.rounds; round++) {
        for (int fi = 0; fi < nfiles; fi++) {
            for (int cork = 0; cork < 2; cork++) {
                for (int k = 0; k < MODE_COUNT; k++) {
                    int mode = (int)((k + round) % MODE_COUNT);
                    struct result r = measure(listener, &addr, &cfg, mode, &files[fi], cork, read_buf);
                    AT(round, fi, cork, mode) = r;
                    done++;
                    char size_text[32];
                    format_size(size_text, sizeof size_text, files[fi].size);
                    fprintf(stderr,
                            "[%zu/%zu %.0fs] round %u %s %s%s: %.2f GB/s, sender %.2f us/send, receiver %.2f us/send\n",
                            done, cells, (double)(now_ns() - start) / 1e9, round + 1, size_text, MODE_NAMES[mode],
                            cork ? " corked" : "", r.gbps, r.sender_us, r.receiver_us);
                }
            }
        }
    }

    printf("Sender on CPU %d, receiver on CPU %d, over 127.0.0.1; each measurement moves max(%" PRIu64
           " bytes, %" PRIu64 " sends) of one file; %u round%s, interleaved (every file, cork off and on, every mode"
           " in turn, the mode order rotated each round); cells are median (min–max) over the rounds.\n"
           "Sender socket: TCP_NODELAY on, default buffer sizes; pipe for splice: %d bytes, %d-byte chunks;"
           " receiver: read(2) into an %d-byte buffer. CPU = getrusage utime+stime (sender: the sends, plus waiting"
           " for zero-copy notifications; receiver: connect to end of file); on loopback the TCP receive path runs"
           " on either side (sender softirq or receiver socket backlog), so compare the sum. GB/s = 10^9 bytes/s,"
           " wall time from first send to the receiver's last read. OutSegs: /proc/net/snmp Tcp OutSegs of the"
           " whole machine (data segments + ACKs + anything else); data segs: sender TCP_INFO tcpi_data_segs_out;"
           " receiver segs: receiver TCP_INFO tcpi_segs_out (its ACKs). Zero-copy copied: send calls whose"
           " notification had SO_EE_CODE_ZEROCOPY_COPIED, of all MSG_ZEROCOPY send calls, summed over the rounds.\n\n",
           cfg.sender_cpu, cfg.receiver_cpu, cfg.bytes, cfg.min_sends, cfg.rounds, cfg.rounds == 1 ? "" : "s",
           pipe_size, SPLICE_CHUNK, RECEIVE_BUFFER_SIZE);
    printf("| size | mode | TCP_CORK | sends | sender CPU µs/send | receiver CPU µs/send"
           " | sender+receiver CPU µs/send | sender CPU ns/byte | GB/s | OutSegs/send | sender data segs/send"
           " | receiver segs/send | zero-copy copied |\n");
    printf("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    double values[MAX_ROUNDS];
    for (int fi = 0; fi < nfiles; fi++) {
        char size_text[32];
        format_size(size_text, sizeof size_text, files[fi].size);
        for (int cork = 0; cork < 2; cork++) {
            for (int mode = 0; mode < MODE_COUNT; mode++) {
                printf("| %s | %s | %s | %" PRIu64 " |", size_text, MODE_NAMES[mode], cork ? "on" : "off",
                       AT(0, fi, cork, mode).sends);
                for (int column = 0; column < 8; column++) {
                    for (unsigned round = 0; round < cfg.rounds; round++) {
                        const struct result *r = &AT(round, fi, cork, mode);
                        const double c[8] = { r->sender_us, r->receiver_us, r->sender_us + r->receiver_us,
                                              r->ns_per_byte, r->gbps, r->out_segs, r->data_segs,
                                              r->receiver_segs };
                        values[round] = c[column];
                    }
                    print_stat(values, cfg.rounds);
                }
                if (mode == MODE_MMAP_ZC) {
                    uint64_t ids = 0, copied = 0, notes = 0;
                    for (unsigned round = 0; round < cfg.rounds; round++) {
                        ids += AT(round, fi, cork, mode).zc_sends;
                        copied += AT(round, fi, cork, mode).zc_copied;
                        notes += AT(round, fi, cork, mode).zc_notes;
                    }
                    printf(" %" PRIu64 " of %" PRIu64 " (%" PRIu64 " notifications) |\n", copied, ids, notes);
                } else {
                    printf(" – |\n");
                }
            }
        }
    }
#undef AT
    if (fflush(stdout) != 0 || ferror(stdout))
        die("writing the table to stdout failed");

    free(results);
    free(read_buf);
    close_or_die(listener);
    for (int i = 0; i < nfiles; i++) {
        if (munmap(files[i].map, files[i].size) != 0)
            DIE_ERRNO("munmap");
        close_or_die(files[i].fd);
    }
    return 0;
}
