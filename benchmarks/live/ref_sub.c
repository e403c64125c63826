/*
 * ref_sub — the reference subscriber of the live benchmark: the least a libmosquitto
 * subscriber can do. It runs libmosquitto's own network thread (mosquitto_loop_start), as
 * telemetryd does, so a QoS 1 PUBACK goes out after the message callback returns; the
 * callback only counts the message and notes its arrival time (the wall clock, as telemetryd's
 * ingest clock does). Persistent session (clean session false) under a fixed client id, so a
 * QoS 1 subscription is a real one.
 *
 * It prints `READY` once the broker has granted the subscription, or at once when the broker
 * kept the session (which keeps the subscription: like telemetryd, it does not subscribe
 * again). --subscribe-only exits there, leaving the session for the broker to queue messages
 * in. Otherwise, when it is done — N messages, or no message for --idle seconds
 * (--start-timeout before the first) — it prints one JSON line: the count, the CONNACK time,
 * the first and last arrival (epoch ms, fractional), its own CPU time and context switches
 * (getrusage RUSAGE_SELF), its peak RSS (VmHWM) and its read/write system calls (/proc/self/io).
 *
 *   cc -O2 -o ref_sub ref_sub.c -lmosquitto -lpthread
 *   ref_sub --port P --qos 1 --id ref-bench --count 150000 [--topic 'vn/#'] [--idle 5]
 */
#include <mosquitto.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static atomic_long received;
static atomic_int subscribed;
static double connack_ms;
static double first_ms, last_ms; /* written by the network thread only, read after loop_stop */

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

struct options { const char *host, *topic, *id; int port, qos, subscribe_only; long count; double idle, start_timeout; };

static void on_connect(struct mosquitto *m, void *ud, int rc, int flags) {
    const struct options *o = ud;
    if (rc != 0) { fprintf(stderr, "ref_sub: connection refused (%d)\n", rc); exit(2); }
    connack_ms = now_ms();
    if (flags & 1) {  /* session present: the broker kept the subscription (as telemetryd, do not renew it) */
        atomic_store(&subscribed, 1);
        return;
    }
    if (mosquitto_subscribe(m, NULL, o->topic, o->qos) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "ref_sub: subscribe failed\n");
        exit(2);
    }
}

static void on_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *granted) {
    (void)m; (void)mid;
    const struct options *o = ud;
    if (n < 1 || granted[0] != o->qos) { fprintf(stderr, "ref_sub: granted QoS %d\n", n ? granted[0] : -1); exit(2); }
    atomic_store(&subscribed, 1);
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg) {
    (void)m; (void)ud; (void)msg;
    double t = now_ms();
    if (atomic_load_explicit(&received, memory_order_relaxed) == 0) first_ms = t;
    last_ms = t;
    atomic_fetch_add_explicit(&received, 1, memory_order_relaxed);
}

static void usage(void) {
    fprintf(stderr, "usage: ref_sub --port P [--host H] [--qos 0|1] [--id ID] [--topic F] (--count N | --subscribe-only) "
                    "[--idle S] [--start-timeout S]\n");
    exit(64);
}

int main(int argc, char **argv) {
    struct options o = { "127.0.0.1", "vn/#", "ref-sub-bench", 0, 0, 0, 0, 5.0, 60.0 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--subscribe-only")) { o.subscribe_only = 1; o.count = 1; continue; }
        if (!v) usage();
        if (!strcmp(a, "--host")) o.host = v;
        else if (!strcmp(a, "--port")) o.port = atoi(v);
        else if (!strcmp(a, "--qos")) o.qos = atoi(v);
        else if (!strcmp(a, "--id")) o.id = v;
        else if (!strcmp(a, "--topic")) o.topic = v;
        else if (!strcmp(a, "--count")) o.count = atol(v);
        else if (!strcmp(a, "--idle")) o.idle = atof(v);
        else if (!strcmp(a, "--start-timeout")) o.start_timeout = atof(v);
        else usage();
        i++;
    }
    if (o.port <= 0 || o.count <= 0 || o.qos < 0 || o.qos > 2) usage();

    mosquitto_lib_init();
    struct mosquitto *m = mosquitto_new(o.id, false, &o);
    if (!m) { perror("mosquitto_new"); return 2; }
    mosquitto_connect_with_flags_callback_set(m, on_connect);
    mosquitto_subscribe_callback_set(m, on_subscribe);
    mosquitto_message_callback_set(m, on_message);
    if (mosquitto_connect(m, o.host, o.port, 60) != MOSQ_ERR_SUCCESS) { fprintf(stderr, "ref_sub: cannot connect\n"); return 2; }
    if (mosquitto_loop_start(m) != MOSQ_ERR_SUCCESS) { fprintf(stderr, "ref_sub: loop_start failed\n"); return 2; }

    double start = mono_s();
    while (!atomic_load(&subscribed)) {
        if (mono_s() - start > 10) { fprintf(stderr, "ref_sub: no SUBACK\n"); return 2; }
        usleep(1000);
    }
    printf("READY\n");
    fflush(stdout);

    /* Wait: N messages, or idle. The main thread sleeps; the network thread does the work. */
    long seen = 0;
    double changed = mono_s();
    while (!o.subscribe_only) {
        usleep(10000);
        long n = atomic_load(&received);
        double t = mono_s();
        if (n >= o.count) break;
        if (n != seen) { seen = n; changed = t; }
        if (t - changed > (n == 0 ? o.start_timeout : o.idle)) break;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    /* Peak RSS from VmHWM: ru_maxrss would also count the process that exec'd this one (Linux
     * keeps the larger of the two across execve, and a python parent is bigger than we are). */
    long hwm = 0;
    FILE *status = fopen("/proc/self/status", "r");
    if (status) {
        char line[256];
        while (fgets(line, sizeof line, status))
            if (!strncmp(line, "VmHWM:", 6)) hwm = atol(line + 6);
        fclose(status);
    }
    long syscalls = 0;  /* read + write system calls so far (/proc/self/io syscr + syscw) */
    FILE *io = fopen("/proc/self/io", "r");
    if (io) {
        char key[64];
        long value;
        while (fscanf(io, "%63s %ld", key, &value) == 2)
            if (!strcmp(key, "syscr:") || !strcmp(key, "syscw:")) syscalls += value;
        fclose(io);
    }
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, false);
    long n = atomic_load(&received);
    printf("{\"received\":%ld,\"connack_ms\":%.3f,\"first_ms\":%.3f,\"last_ms\":%.3f,\"cpu_user_s\":%.6f,\"cpu_sys_s\":%.6f,\"peak_rss_kib\":%ld,"
           "\"rw_syscalls\":%ld,\"context_switches\":%ld}\n",
           n, connack_ms, n ? first_ms : 0.0, n ? last_ms : 0.0,
           ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, hwm,
           syscalls, ru.ru_nvcsw + ru.ru_nivcsw);
    fflush(stdout);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return 0;
}
