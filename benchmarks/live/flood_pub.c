/*
 * flood_pub — the publisher of the live benchmark: realistic JSON telemetry from a fleet of
 * devices (default 1,000), as fast as possible or at a target rate, QoS 0 or 1.
 *
 * Message i (0-based) goes to device d = i mod devices, on topic vn/<site>/<device>/telemetry,
 * with payload {"ts":<now ms>,"seq":<i div devices + 1>,"pm25":..,"temperature":..,
 * "power":{"voltage":..}}. Apart from ts (the wall clock when it is published: event time is
 * now, as from a live fleet) the sequence depends only on --seed and --count, so every
 * contestant gets the same messages in the same order.
 *
 * It speaks MQTT 3.1.1 itself over one TCP socket instead of using libmosquitto: a publisher
 * must not be what limits a flood, and libmosquitto's client spends most of its time walking
 * its list of in-flight messages (perf: 80 % of the publisher's CPU in one loop inside
 * libmosquitto.so at a window of 3,000, 34k msg/s at 1,000 with nobody subscribed). Here a
 * message costs a snprintf and a memcpy; PUBLISH packets are batched into writes of up to
 * 16 KiB (as fast as possible) or written one by one (at a target rate, so ts is the send
 * time); at QoS 1 at most --window messages are unacknowledged (PUBACKs are matched by packet
 * id) and all are acknowledged before it ends. It prints one JSON line: published, completed
 * (written at QoS 0; acknowledged at QoS 1), first and last publication (epoch ms), when the
 * last was completed, its own CPU time, and — at a target rate — how far it fell behind its
 * schedule at worst and the stretches of wall time (epoch ms) it was more than 0.25 s behind.
 *
 *   cc -O2 -o flood_pub flood_pub.c
 *   flood_pub --port P --qos 1 --count 150000 [--rate 0] [--seed 42] [--devices 1000] [--window 1000]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double mono_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "flood_pub: %s: %s\n", what, errno ? strerror(errno) : "protocol error");
    exit(2);
}

/* splitmix64: the values of message i depend only on (seed, i). */
static uint64_t mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}
static double unit(uint64_t *state) { *state = mix(*state); return (double)(*state >> 11) / 9007199254740992.0; }

static const char *sites[] = { "hanoi", "hcmc", "dongnai", "binhduong", "danang" };
#define SITES (sizeof sites / sizeof sites[0])

/* ---- the connection: an output buffer, and PUBACK accounting ---- */
static int fd = -1;
static unsigned char out[1 << 16];
static size_t out_len;
static unsigned char in[1 << 16];
static size_t in_len;
static long acked;             /* PUBACKs received */
static unsigned char *pending; /* pending[id] = 1 while packet id is unacknowledged */
static int connack_seen;

static void parse_input(void) {
    size_t p = 0;
    for (;;) {
        if (in_len - p < 2) break;
        size_t length = 0, shift = 0, h = 1;
        for (;;) {
            if (p + h >= in_len) goto incomplete;
            unsigned char b = in[p + h++];
            length |= (size_t)(b & 0x7F) << shift;
            shift += 7;
            if (!(b & 0x80)) break;
            if (shift > 21) { errno = 0; die("bad remaining length from the broker"); }
        }
        if (in_len - p < h + length) break;
        unsigned char type = in[p] >> 4;
        const unsigned char *body = in + p + h;
        if (type == 4 && length == 2) {          /* PUBACK */
            unsigned id = (unsigned)body[0] << 8 | body[1];
            if (!pending[id]) { errno = 0; die("PUBACK for a packet id not in flight"); }
            pending[id] = 0;
            acked++;
        } else if (type == 2 && length == 2) {   /* CONNACK */
            if (body[1] != 0) { errno = 0; fprintf(stderr, "flood_pub: connection refused (%d)\n", body[1]); exit(2); }
            connack_seen = 1;
        } else if (type != 13) {                 /* anything but PINGRESP */
            errno = 0; die("unexpected packet from the broker");
        }
        p += h + length;
    }
incomplete:
    memmove(in, in + p, in_len - p);
    in_len -= p;
}

/* Reads what has arrived; blocks up to timeout_ms for something when block is set. */
static void read_input(int timeout_ms) {
    if (timeout_ms > 0) {
        struct pollfd pfd = { fd, POLLIN, 0 };
        int n = poll(&pfd, 1, timeout_ms);
        if (n < 0 && errno != EINTR) die("poll");
        if (n == 0) { errno = 0; die("no answer from the broker for 30 s"); }
    }
    for (;;) {
        ssize_t n = recv(fd, in + in_len, sizeof in - in_len, MSG_DONTWAIT);
        if (n > 0) { in_len += (size_t)n; parse_input(); continue; }
        if (n == 0) { errno = 0; die("the broker closed the connection"); }
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno != EINTR) die("recv");
    }
}

/* Writes the whole output buffer, reading PUBACKs while the socket is full. */
static void flush_output(void) {
    size_t done = 0;
    while (done < out_len) {
        ssize_t n = send(fd, out + done, out_len - done, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) { done += (size_t)n; continue; }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) die("send");
        struct pollfd pfd = { fd, POLLIN | POLLOUT, 0 };
        if (poll(&pfd, 1, 30000) == 0) { errno = 0; die("the broker took nothing for 30 s"); }
        if (pfd.revents & POLLIN) read_input(0);
    }
    out_len = 0;
}

static size_t put_length(unsigned char *p, size_t length) {
    size_t n = 0;
    do {
        unsigned char b = length & 0x7F;
        length >>= 7;
        p[n++] = b | (length ? 0x80 : 0);
    } while (length);
    return n;
}

static void usage(void) {
    fprintf(stderr, "usage: flood_pub --port P [--host H] [--qos 0|1] --count N [--rate R (0: as fast as possible)] "
                    "[--seed S] [--devices D] [--window W] [--id ID]\n");
    exit(64);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *id = "flood-pub-bench";
    int port = 0, qos = 0;
    long count = 0, devices = 1000, window = 1000;
    double rate = 0;
    uint64_t seed = 42;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) usage();
        if (!strcmp(a, "--host")) host = v;
        else if (!strcmp(a, "--port")) port = atoi(v);
        else if (!strcmp(a, "--qos")) qos = atoi(v);
        else if (!strcmp(a, "--count")) count = atol(v);
        else if (!strcmp(a, "--rate")) rate = atof(v);
        else if (!strcmp(a, "--seed")) seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--devices")) devices = atol(v);
        else if (!strcmp(a, "--window")) window = atol(v);
        else if (!strcmp(a, "--id")) id = v;
        else usage();
        i++;
    }
    if (port <= 0 || count <= 0 || devices <= 0 || window <= 0 || window > 65535 || (qos != 0 && qos != 1)) usage();
    pending = calloc(65536, 1);

    /* Topics, built once. */
    char **topics = malloc(sizeof(char *) * (size_t)devices);
    size_t *topic_len = malloc(sizeof(size_t) * (size_t)devices);
    for (long d = 0; d < devices; d++) {
        const char *site = sites[d % SITES];
        const char *kind = (d % 3 == 0) ? "aq" : (d % 3 == 1) ? "pm" : "env";
        topics[d] = malloc(96);
        topic_len[d] = (size_t)snprintf(topics[d], 96, "vn/%s/%s-%s-%04ld/telemetry", site, kind, site, d / (long)SITES + 1);
    }

    /* Connect: MQTT 3.1.1, clean session, keep-alive off. */
    struct sockaddr_in addr = { 0 };
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) { errno = 0; die("--host must be an IPv4 address"); }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    size_t idlen = strlen(id);
    unsigned char *p = out;
    *p++ = 0x10;
    p += put_length(p, 10 + 2 + idlen);
    memcpy(p, "\0\4MQTT\4\2\0\0", 10); p += 10;   /* protocol, level 4, clean session, keep-alive 0 */
    *p++ = (unsigned char)(idlen >> 8); *p++ = (unsigned char)idlen;
    memcpy(p, id, idlen); p += idlen;
    out_len = (size_t)(p - out);
    flush_output();
    while (!connack_seen) read_input(30000);

    const size_t batch = rate > 0 ? 1 : 16384;
    char payload[256];
    unsigned next_id = 0;
    double first = 0, last = 0, t0 = mono_s();
    /* At a target rate: when it falls behind its schedule by more than 0.25 s (starved of CPU,
     * or a broker that stopped taking messages fills the QoS 1 window), that stretch of wall
     * time is a stall — the receiver's input stopped, whatever the receiver does. */
    double behind_max = 0, stall_from = 0;
    double stalls[64][2];
    int nstalls = 0;
    for (long i = 0; i < count; i++) {
        if (rate > 0) {
            double due = t0 + (double)i / rate, now = mono_s(), wait = due - now;
            if (wait > 0) {
                struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
                nanosleep(&ts, NULL);
            }
            double behind = -wait;
            if (behind > behind_max) behind_max = behind;
            if (behind > 0.25 && stall_from == 0) stall_from = now_ms() - behind * 1e3;
            if (behind < 0.05 && stall_from != 0) {
                if (nstalls < 64) { stalls[nstalls][0] = stall_from; stalls[nstalls][1] = now_ms(); nstalls++; }
                stall_from = 0;
            }
        }
        if (qos == 1) {
            if (i - acked >= window) {
                flush_output();
                while (i - acked >= window) read_input(30000);
            }
            do { next_id = next_id % 65535 + 1; } while (pending[next_id]);
        }
        long d = i % devices;
        uint64_t state = seed * 0x100000001B3ULL ^ (uint64_t)i;
        double pm25 = 5 + 145 * unit(&state) * unit(&state);
        double temperature = 22 + 14 * unit(&state);
        double voltage = 218 + 8 * unit(&state);
        double t = now_ms();
        int n = snprintf(payload, sizeof payload,
                         "{\"ts\":%lld,\"seq\":%ld,\"pm25\":%.1f,\"temperature\":%.2f,\"power\":{\"voltage\":%.1f}}",
                         (long long)t, i / devices + 1, pm25, temperature, voltage);
        size_t tl = topic_len[d], length = 2 + tl + (qos ? 2 : 0) + (size_t)n;
        if (out_len + 5 + length > sizeof out) flush_output();
        p = out + out_len;
        *p++ = (unsigned char)(0x30 | (qos << 1));
        p += put_length(p, length);
        *p++ = (unsigned char)(tl >> 8); *p++ = (unsigned char)tl;
        memcpy(p, topics[d], tl); p += tl;
        if (qos) {
            *p++ = (unsigned char)(next_id >> 8); *p++ = (unsigned char)next_id;
            pending[next_id] = 1;
        }
        memcpy(p, payload, (size_t)n); p += n;
        out_len = (size_t)(p - out);
        if (out_len >= batch) {
            flush_output();
            if (qos) read_input(0);
        }
        if (i == 0) first = t;
        last = t;
    }
    flush_output();
    if (qos) while (acked < count) read_input(30000);
    double finished = now_ms();
    out[0] = 0xE0; out[1] = 0; out_len = 2;   /* DISCONNECT */
    flush_output();
    shutdown(fd, SHUT_WR);
    close(fd);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (stall_from != 0 && nstalls < 64) { stalls[nstalls][0] = stall_from; stalls[nstalls][1] = finished; nstalls++; }
    printf("{\"published\":%ld,\"completed\":%ld,\"qos\":%d,\"first_ms\":%.3f,\"last_ms\":%.3f,\"done_ms\":%.3f,"
           "\"cpu_s\":%.6f,\"behind_max_ms\":%.1f,\"stalls\":[",
           count, qos ? acked : count, qos, first, last, finished,
           ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
           behind_max * 1e3);
    for (int k = 0; k < nstalls; k++) printf("%s[%.0f,%.0f]", k ? "," : "", stalls[k][0], stalls[k][1]);
    printf("]}\n");
    return 0;
}
