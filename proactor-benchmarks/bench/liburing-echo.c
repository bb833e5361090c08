/*
 * liburing-echo: the floor of the echo comparison (bench/echo-compare.py), a TCP echo server written directly
 * on liburing the way a careful C programmer would, in the same role as EchoServerMain's servers: one thread,
 * loopback only, every byte received sent back on the same connection in order.
 *
 *   - one multishot accept on the listening socket;
 *   - one multishot receive per connection, its buffers picked by the kernel from a ring-mapped provided
 *     buffer ring (IORING_REGISTER_PBUF_RING): giving a buffer back is a store into shared memory and a tail
 *     update, no SQE and no CQE;
 *   - the received buffer itself is sent back (no copy) and only returned to the ring once the send that
 *     carries its last byte has completed;
 *   - sends start at the end of a loop iteration, so the buffers one connection received in that iteration go
 *     out in one send (a sendmsg gathering them);
 *   - at most one send in flight per connection, so bytes cannot overtake each other when a send is partial
 *     or more receives complete before the send does: they queue behind it and go out together after it;
 *   - one io_uring_enter per loop iteration, which both submits what the iteration queued and waits.
 *
 * Usage: liburing-echo PORT [BUFFERS [BUFFER_SIZE]]   (PORT 0 picks a free one)
 * Prints "listening PORT" on stdout when ready and exits when its standard input ends (give it a pipe), like
 * EchoServerMain. Lines written to its standard input are ignored.
 *
 * Build: gcc -O2 -Wall -Wextra -o liburing-echo liburing-echo.c -luring   (liburing 2.3 or later; kernel 6.0+
 * for multishot receive)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BACKLOG 4096          /* thousands of connections arrive in bursts; like EchoServerMain's */
#define SQ_ENTRIES 4096       /* one iteration may queue a send and a re-arm for each of thousands of conns */
#define CQ_ENTRIES 32768      /* multishot receives post many CQEs per submission */
#define BUF_GROUP 0
#define MAX_IOV 16            /* queued buffers gathered by one sendmsg */
#define STDIN_BUF 256

/* user_data: a pointer (malloc'd, so 8-aligned) tagged with the operation in its low bits */
enum op { OP_ACCEPT = 0, OP_RECV = 1, OP_SEND = 2, OP_STDIN = 3 };
#define TAG(ptr, op) ((uint64_t) (uintptr_t) (ptr) | (op))
#define TAG_OP(data) ((enum op) ((data) & 3))
#define TAG_PTR(data) ((void *) (uintptr_t) ((data) & ~(uint64_t) 3))

/* a received buffer waiting to be (fully) sent back */
struct seg {
    uint16_t bid;
    uint32_t off;
    uint32_t len;
};

struct conn {
    int fd;
    bool recv_armed;   /* a multishot receive is armed */
    bool want_recv;    /* it must be (re-)armed: new, or ended by -ENOBUFS or a full CQ */
    bool send_busy;    /* a send is in flight: nothing else may be sent until it completes */
    bool closing;      /* EOF or error: closed once what is queued is sent and no operation is in flight */
    bool failed;       /* a send failed: what is queued is dropped, not sent */
    bool shut;         /* shutdown() was called to end the armed receive */
    bool on_todo;
    struct seg *q;     /* the queue [qhead, qtail) of received, not yet sent bytes */
    uint32_t qhead, qtail, qcap;
    struct msghdr msg; /* the sendmsg in flight when several buffers go out together */
    struct iovec iov[MAX_IOV];
};

static struct io_uring ring;
static struct io_uring_buf_ring *buf_ring;
static unsigned char *buf_base;
static unsigned nbufs, buf_size;
static unsigned bufs_out;      /* buffers handed to us by the kernel and not yet given back */
static unsigned bufs_returned; /* given back since the last tail update */

/* connections with something to do at the end of this iteration (send, re-arm, close) */
static struct conn **todo, **todo_next;
static size_t todo_len, todo_next_len, todo_cap;

static int listen_fd;
static bool accept_armed;
static char stdin_buf[STDIN_BUF];
static bool stopping;

static void die(const char *what, int err)
{
    fprintf(stderr, "liburing-echo: %s: %s\n", what, strerror(err));
    exit(1);
}

/* An SQE, submitting what is queued first if the submission queue is full. */
static struct io_uring_sqe *get_sqe(void)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    while (!sqe) {
        int ret = io_uring_submit(&ring);
        if (ret < 0 && ret != -EAGAIN && ret != -EBUSY)
            die("io_uring_submit", -ret);
        sqe = io_uring_get_sqe(&ring);
    }
    return sqe;
}

static void give_back(uint16_t bid)
{
    io_uring_buf_ring_add(buf_ring, buf_base + (size_t) bid * buf_size, buf_size, bid,
                          io_uring_buf_ring_mask(nbufs), bufs_returned++);
    bufs_out--;
}

static void mark(struct conn *c)
{
    if (c->on_todo)
        return;
    c->on_todo = true;
    if (todo_next_len == todo_cap) {
        todo_cap = todo_cap ? todo_cap * 2 : 1024;
        todo = realloc(todo, todo_cap * sizeof *todo);
        todo_next = realloc(todo_next, todo_cap * sizeof *todo_next);
        if (!todo || !todo_next)
            die("realloc", ENOMEM);
    }
    todo_next[todo_next_len++] = c;
}

static void arm_accept(void)
{
    struct io_uring_sqe *sqe = get_sqe();
    io_uring_prep_multishot_accept(sqe, listen_fd, NULL, NULL, 0);
    io_uring_sqe_set_data64(sqe, TAG(NULL, OP_ACCEPT));
    accept_armed = true;
}

static void arm_recv(struct conn *c)
{
    struct io_uring_sqe *sqe = get_sqe();
    io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BUF_GROUP;
    io_uring_sqe_set_data64(sqe, TAG(c, OP_RECV));
    c->recv_armed = true;
    c->want_recv = false;
}

static void arm_stdin(void)
{
    struct io_uring_sqe *sqe = get_sqe();
    io_uring_prep_read(sqe, STDIN_FILENO, stdin_buf, sizeof stdin_buf, (uint64_t) -1);
    io_uring_sqe_set_data64(sqe, TAG(NULL, OP_STDIN));
}

/* Sends the queued buffers: a plain send for one (the ping-pong case), a gathering sendmsg for several. */
static void start_send(struct conn *c)
{
    struct io_uring_sqe *sqe = get_sqe();
    uint32_t n = c->qtail - c->qhead;
    if (n == 1) {
        struct seg *s = &c->q[c->qhead];
        io_uring_prep_send(sqe, c->fd, buf_base + (size_t) s->bid * buf_size + s->off, s->len, MSG_NOSIGNAL);
    } else {
        if (n > MAX_IOV)
            n = MAX_IOV;
        for (uint32_t i = 0; i < n; i++) {
            struct seg *s = &c->q[c->qhead + i];
            c->iov[i].iov_base = buf_base + (size_t) s->bid * buf_size + s->off;
            c->iov[i].iov_len = s->len;
        }
        memset(&c->msg, 0, sizeof c->msg);
        c->msg.msg_iov = c->iov;
        c->msg.msg_iovlen = n;
        io_uring_prep_sendmsg(sqe, c->fd, &c->msg, MSG_NOSIGNAL);
    }
    io_uring_sqe_set_data64(sqe, TAG(c, OP_SEND));
    c->send_busy = true;
}

static void push_seg(struct conn *c, uint16_t bid, uint32_t len)
{
    if (c->qtail == c->qcap) {
        if (c->qhead > 0) { /* slide the live part down before growing */
            memmove(c->q, c->q + c->qhead, (c->qtail - c->qhead) * sizeof *c->q);
            c->qtail -= c->qhead;
            c->qhead = 0;
        } else {
            c->qcap = c->qcap ? c->qcap * 2 : 4;
            c->q = realloc(c->q, c->qcap * sizeof *c->q);
            if (!c->q)
                die("realloc", ENOMEM);
        }
    }
    c->q[c->qtail++] = (struct seg) { .bid = bid, .off = 0, .len = len };
}

/* Drops what was not sent (the connection is going away) and gives the buffers back. */
static void drop_queue(struct conn *c)
{
    while (c->qhead < c->qtail)
        give_back(c->q[c->qhead++].bid);
    c->qhead = c->qtail = 0;
}

/* The connection closes once nothing is in flight; a receive still armed is ended by shutting the socket. */
static void start_closing(struct conn *c)
{
    c->closing = true;
    c->want_recv = false;
    if (c->recv_armed && !c->shut) {
        shutdown(c->fd, SHUT_RDWR); /* the armed receive then completes (end of stream) */
        c->shut = true;
    }
    mark(c);
}

static void on_accept(struct io_uring_cqe *cqe)
{
    if (!(cqe->flags & IORING_CQE_F_MORE))
        accept_armed = false; /* re-armed at the end of the iteration */
    if (cqe->res < 0) {
        static time_t last_report;
        time_t now = time(NULL);
        if (now != last_report) { /* at most once a second: -EMFILE can repeat for every connection */
            fprintf(stderr, "liburing-echo: accept: %s\n", strerror(-cqe->res));
            last_report = now;
        }
        return;
    }
    int one = 1;
    /* like the Java servers (Netty's TCP_NODELAY child option): a pipelined echo must not wait for an ACK */
    setsockopt(cqe->res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        die("calloc", ENOMEM);
    c->fd = cqe->res;
    c->want_recv = true;
    mark(c);
}

static void on_recv(struct conn *c, struct io_uring_cqe *cqe)
{
    bool more = cqe->flags & IORING_CQE_F_MORE;
    if (!more)
        c->recv_armed = false;
    if (cqe->res > 0) {
        if (!(cqe->flags & IORING_CQE_F_BUFFER)) {
            fprintf(stderr, "liburing-echo: a receive completed without a buffer\n");
            exit(1);
        }
        uint16_t bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
        bufs_out++;
        if (c->closing) {
            give_back(bid); /* nobody to send it to */
        } else {
            push_seg(c, bid, (uint32_t) cqe->res);
            mark(c);
        }
        if (!more && !c->closing) {
            c->want_recv = true; /* the kernel ended the multishot (e.g. CQ overflow): arm it again */
            mark(c);
        }
    } else if (cqe->res == -ENOBUFS) {
        /* every buffer is queued for sending: arm again once sends have given some back */
        if (!c->closing)
            c->want_recv = true;
        mark(c);
    } else {
        /* 0: end of stream; anything else: an error. Either way the receive is over. */
        start_closing(c);
    }
}

static void on_send(struct conn *c, struct io_uring_cqe *cqe)
{
    c->send_busy = false;
    if (cqe->res < 0) {
        c->failed = true;
        drop_queue(c);
        start_closing(c);
        return;
    }
    /* give back every buffer whose last byte has gone; a partial send leaves the rest at the head */
    uint32_t sent = (uint32_t) cqe->res;
    while (sent > 0 && c->qhead < c->qtail) {
        struct seg *s = &c->q[c->qhead];
        if (sent >= s->len) {
            sent -= s->len;
            give_back(s->bid);
            c->qhead++;
        } else {
            s->off += sent;
            s->len -= sent;
            sent = 0;
        }
    }
    if (c->qhead == c->qtail)
        c->qhead = c->qtail = 0;
    if (c->qhead < c->qtail || c->closing)
        mark(c); /* the rest goes out next, or the connection can now be closed */
}

static void destroy(struct conn *c)
{
    drop_queue(c);
    close(c->fd);
    free(c->q);
    free(c);
}

/*
 * End of an iteration: hand the buffers given back to the kernel (one tail update), then for every connection
 * with something to do: close it, send what it has queued, or arm its receive.
 */
static void flush(void)
{
    if (bufs_returned) {
        io_uring_buf_ring_advance(buf_ring, (int) bufs_returned);
        bufs_returned = 0;
    }
    if (!accept_armed && !stopping)
        arm_accept();
    struct conn **work = todo_next;
    size_t n = todo_next_len;
    todo_next = todo;
    todo = work;
    todo_len = n;
    todo_next_len = 0;
    for (size_t i = 0; i < todo_len; i++) {
        struct conn *c = todo[i];
        c->on_todo = false;
        if (c->closing) {
            /* after the peer's end of stream, what it sent before is still echoed (a half-closed `nc -N`) */
            if (!c->failed && !c->send_busy && c->qhead < c->qtail)
                start_send(c);
            else if (!c->recv_armed && !c->send_busy)
                destroy(c);
            continue;
        }
        if (!c->send_busy && c->qhead < c->qtail)
            start_send(c);
        if (c->want_recv) {
            if (bufs_out < nbufs)
                arm_recv(c);
            else
                mark(c); /* still no buffer free: look again next iteration (a send completion will come) */
        }
    }
}

/* The buffer ring: io_uring_setup_buf_ring where liburing has it (2.4+), else the same done by hand. */
static struct io_uring_buf_ring *setup_buf_ring(unsigned entries)
{
#if defined(IO_URING_VERSION_MAJOR) && (IO_URING_VERSION_MAJOR > 2 || IO_URING_VERSION_MINOR >= 4)
    int err = 0;
    struct io_uring_buf_ring *br = io_uring_setup_buf_ring(&ring, entries, BUF_GROUP, 0, &err);
    if (!br)
        die("io_uring_setup_buf_ring (needs kernel 5.19+)", -err);
    return br;
#else
    /* liburing 2.3 (Debian 12) has no io_uring_setup_buf_ring: map the ring (page-aligned) and register it */
    size_t size = (size_t) entries * sizeof(struct io_uring_buf);
    void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED)
        die("mmap", errno);
    struct io_uring_buf_ring *br = mem;
    io_uring_buf_ring_init(br);
    struct io_uring_buf_reg reg = { .ring_addr = (uint64_t) (uintptr_t) mem, .ring_entries = entries,
                                    .bgid = BUF_GROUP };
    int ret = io_uring_register_buf_ring(&ring, &reg, 0);
    if (ret < 0)
        die("io_uring_register_buf_ring (needs kernel 5.19+)", -ret);
    return br;
#endif
}

static void setup_ring(void)
{
    /*
     * SINGLE_ISSUER + DEFER_TASKRUN (6.1+): completions are processed only when we enter to wait, in a batch,
     * never by interrupting the thread. Older kernels: COOP_TASKRUN, then nothing.
     */
    const unsigned flag_sets[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
        IORING_SETUP_COOP_TASKRUN,
        0,
    };
    int ret = -EINVAL;
    for (size_t i = 0; i < sizeof flag_sets / sizeof flag_sets[0]; i++) {
        struct io_uring_params p = { .flags = flag_sets[i] | IORING_SETUP_CQSIZE, .cq_entries = CQ_ENTRIES };
        ret = io_uring_queue_init_params(SQ_ENTRIES, &ring, &p);
        if (ret != -EINVAL)
            break;
    }
    if (ret < 0)
        die("io_uring_queue_init", -ret);
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket", errno);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(fd, (struct sockaddr *) &addr, sizeof addr) < 0)
        die("bind", errno);
    if (listen(fd, BACKLOG) < 0)
        die("listen", errno);
    socklen_t len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *) &addr, &len) < 0)
        die("getsockname", errno);
    listen_fd = fd;
    return ntohs(addr.sin_port);
}

/* Raises the descriptor limit to the hard limit: thousands of connections. */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static bool parse_uint(const char *s, long min, long max, long *out)
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
                    "usage: liburing-echo PORT [BUFFERS [BUFFER_SIZE]]\n"
                    "  PORT         0..65535 (0: a free one), on 127.0.0.1\n"
                    "  BUFFERS      receive buffers in the ring, a power of two, 1..32768 (default 8192)\n"
                    "  BUFFER_SIZE  bytes per buffer, 64..1048576 (default 4096)\n"
                    "Prints 'listening PORT' when ready; exits when standard input ends.\n", why);
    exit(2);
}

int main(int argc, char **argv)
{
    long port, buffers = 8192, size = 4096;
    if (argc < 2 || argc > 4)
        usage("expected 1 to 3 arguments");
    if (!parse_uint(argv[1], 0, 65535, &port))
        usage("PORT must be a number between 0 and 65535");
    if (argc > 2 && (!parse_uint(argv[2], 1, 32768, &buffers) || (buffers & (buffers - 1))))
        usage("BUFFERS must be a power of two between 1 and 32768");
    if (argc > 3 && !parse_uint(argv[3], 64, 1 << 20, &size))
        usage("BUFFER_SIZE must be between 64 and 1048576");
    nbufs = (unsigned) buffers;
    buf_size = (unsigned) size;

    raise_nofile();
    setup_ring();
    buf_ring = setup_buf_ring(nbufs);
    /* page-aligned; aligned_alloc wants the size a multiple of the alignment */
    buf_base = aligned_alloc(4096, ((size_t) nbufs * buf_size + 4095) & ~(size_t) 4095);
    if (!buf_base)
        die("aligned_alloc", ENOMEM);
    for (unsigned i = 0; i < nbufs; i++)
        io_uring_buf_ring_add(buf_ring, buf_base + (size_t) i * buf_size, buf_size, (unsigned short) i,
                              io_uring_buf_ring_mask(nbufs), (int) i);
    io_uring_buf_ring_advance(buf_ring, (int) nbufs);

    int bound = listen_on((int) port);
    arm_stdin();
    arm_accept();
    printf("listening %d\n", bound);
    fflush(stdout);

    while (!stopping) {
        int ret = io_uring_submit_and_wait(&ring, 1);
        if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
            die("io_uring_submit_and_wait", -ret);
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            switch (TAG_OP(cqe->user_data)) {
            case OP_ACCEPT:
                on_accept(cqe);
                break;
            case OP_RECV:
                on_recv(TAG_PTR(cqe->user_data), cqe);
                break;
            case OP_SEND:
                on_send(TAG_PTR(cqe->user_data), cqe);
                break;
            case OP_STDIN:
                if (cqe->res > 0)
                    arm_stdin(); /* commands are not supported; keep reading until the end */
                else
                    stopping = true; /* end of input (or an error on it): the parent is gone */
                break;
            }
        }
        io_uring_cq_advance(&ring, seen);
        flush();
    }
    /* the process ends: the kernel closes the connections and tears the ring down */
    return 0;
}
