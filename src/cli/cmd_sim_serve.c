/*
 * cli/cmd_sim_serve.c - `snpkit sim serve`: keep a CVM running and expose its attestation agent
 * to outside programs over loopback HTTP and a Unix socket (docs/vmm.md, "sim serve").
 *
 * The VMM runs on the main thread; the agent app inside the guest is the server of the device
 * channel, so the channel callback blocks until an HTTP request is queued, hands it to the guest
 * and wakes the HTTP thread with the answer on the next doorbell. One request is in the guest
 * at a time (serialized by a mutex). SIGINT/SIGTERM: the guest gets SHUTDOWN, the listeners
 * close, the Unix socket is removed, exit 0.
 * Loopback only unless --allow-remote. Exit codes: 0 stopped by a signal, 1 the guest stopped
 * by itself, 2 usage, 3 environment (state, bind).
 */
#include "cli.h"
#include "sim_int.h"

#include "guest/app.h"
#include "snpkit/guestmsg.h"
#include "snpkit/machine.h"
#include "snpkit/report.h"
#include "snpkit/util.h"
#include "snpkit/vmm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BODY_MAX 4096u

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* One request for the guest and its answer (malloc'd by the channel callback). */
struct job {
    uint8_t req[4 + 68];
    size_t req_len;
    uint8_t *rsp;
    size_t rsp_len;
    bool done;
};

struct server {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_mutex_t serial; /* one request in the guest at a time */
    struct job *pending;    /* queued by an HTTP thread */
    struct job *inflight;   /* in the guest */
    bool gone;              /* the guest stopped */
    char hello[16];
    uint8_t measurement[48];
};

/* ---- the channel: the guest's side of every request ------------------------------------- */

static snp_err
serve_chan(void *ctx, const uint8_t *from, size_t len, uint8_t *to, size_t cap, size_t *to_len)
{
    struct server *s = ctx;
    struct job *j = NULL;

    pthread_mutex_lock(&s->mu);
    if (s->inflight != NULL) {
        s->inflight->rsp = malloc(len > 0 ? len : 1);
        if (s->inflight->rsp != NULL) {
            memcpy(s->inflight->rsp, from, len);
            s->inflight->rsp_len = len;
        }
        s->inflight->done = true;
        s->inflight = NULL;
        pthread_cond_broadcast(&s->cv);
    } else if (len >= 4 && from[0] == SNP_CHAN_OP_HELLO) {
        size_t n = len - 4 < sizeof(s->hello) - 1 ? len - 4 : sizeof(s->hello) - 1;
        memcpy(s->hello, from + 4, n);
    }
    while (s->pending == NULL && !stop_flag) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    if (!stop_flag && s->pending != NULL && s->pending->req_len <= cap) {
        j = s->pending;
        s->pending = NULL;
        s->inflight = j;
        memcpy(to, j->req, j->req_len);
        *to_len = j->req_len;
    } else {
        memset(to, 0, 4);
        to[0] = SNP_CHAN_OP_SHUTDOWN;
        *to_len = 4;
    }
    pthread_mutex_unlock(&s->mu);
    return SNP_OK;
}

/* An HTTP thread: queue @j, wait for the guest's answer. false when the guest is gone. */
static bool
submit(struct server *s, struct job *j)
{
    bool ok;

    pthread_mutex_lock(&s->serial);
    pthread_mutex_lock(&s->mu);
    if (!s->gone && !stop_flag) {
        s->pending = j;
        pthread_cond_broadcast(&s->cv);
        while (!j->done && !s->gone) {
            pthread_cond_wait(&s->cv, &s->mu);
        }
    }
    if (s->pending == j) {
        s->pending = NULL;
    }
    ok = j->done && j->rsp != NULL && j->rsp_len >= 4;
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_unlock(&s->serial);
    return ok;
}

/* ---- HTTP --------------------------------------------------------------------------------- */

struct answer {
    unsigned status;
    char *body; /* malloc'd */
    size_t len;
    const char *ctype;
};

static char *
b64(const uint8_t *p, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = malloc((n + 2) / 3 * 4 + 1);
    size_t k = 0;

    if (o == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        o[k++] = t[v >> 18 & 63];
        o[k++] = t[v >> 12 & 63];
        o[k++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        o[k++] = i + 2 < n ? t[v & 63] : '=';
    }
    o[k] = '\0';
    return o;
}

static void
json_answer(struct answer *a, unsigned status, json_t *j)
{
    a->status = status;
    a->ctype = "application/json";
    a->body = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
    a->len = a->body != NULL ? strlen(a->body) : 0;
    json_decref(j);
    if (a->body == NULL) {
        a->status = 500;
    }
}

static void
error_answer(struct answer *a, unsigned status, const char *msg, const char *name)
{
    json_t *j = json_pack("{s:s}", "error", msg);
    if (j != NULL && name != NULL) {
        json_object_set_new(j, "code", json_string(name));
    }
    json_answer(a, status, j);
}

/* ?data=HEX (up to 64 bytes, zero-padded) and ?vmpl=N into a REPORT request body. */
static bool
report_args(struct MHD_Connection *con, uint8_t body[68])
{
    const char *data = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "data");
    const char *vmpl = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "vmpl");
    size_t n = 0;
    char *end = NULL;
    unsigned long v = 0;

    memset(body, 0, 68);
    if (data != NULL && (strlen(data) > 128 || strlen(data) % 2 != 0 ||
                         snp_hex_decode(body, 64, &n, data, strlen(data), NULL) != SNP_OK)) {
        return false;
    }
    if (vmpl != NULL) {
        v = strtoul(vmpl, &end, 10);
        if (*vmpl == '\0' || *end != '\0' || v > 3) {
            return false;
        }
    }
    body[64] = (uint8_t)v;
    return true;
}

/* The guest's status byte as an HTTP answer (502: the guest or its PSP refused). */
static bool
guest_failed(struct answer *a, const struct job *j)
{
    if (j->rsp[1] == SNP_OK) {
        return false;
    }
    error_answer(a, 502, snp_err_str((snp_err)j->rsp[1]), snp_err_name((snp_err)j->rsp[1]));
    return true;
}

static void
do_report(struct server *s, struct MHD_Connection *con, bool ext, struct answer *a)
{
    const char *fmt = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "format");
    bool json = ext || (fmt != NULL && strcmp(fmt, "json") == 0);
    struct job j;

    memset(&j, 0, sizeof(j));
    if ((fmt != NULL && strcmp(fmt, "json") != 0 && strcmp(fmt, "raw") != 0) ||
        !report_args(con, j.req + 4)) {
        error_answer(a, 400, "want data=HEX (up to 64 bytes), vmpl=0..3, format=raw|json", NULL);
        return;
    }
    j.req[0] = ext ? SNP_CHAN_OP_EXT_REPORT : SNP_CHAN_OP_REPORT;
    j.req_len = 4 + 68;
    if (!submit(s, &j)) {
        error_answer(a, 503, "the guest is not running", NULL);
    } else if (!guest_failed(a, &j)) {
        size_t tlen = 0;
        bool okl = j.rsp_len >= 4 + SNP_REPORT_SIZE;
        if (ext && okl) {
            tlen = j.rsp_len >= 8 + SNP_REPORT_SIZE ? (size_t)j.rsp[4 + SNP_REPORT_SIZE] |
                                                          (size_t)j.rsp[5 + SNP_REPORT_SIZE] << 8 |
                                                          (size_t)j.rsp[6 + SNP_REPORT_SIZE] << 16 |
                                                          (size_t)j.rsp[7 + SNP_REPORT_SIZE] << 24
                                                    : SIZE_MAX;
            okl = tlen <= j.rsp_len - 8 - SNP_REPORT_SIZE;
        }
        if (!okl) {
            error_answer(a, 502, "malformed answer from the guest", NULL);
        } else if (!json) {
            a->status = 200;
            a->ctype = "application/octet-stream";
            a->body = malloc(SNP_REPORT_SIZE);
            a->len = SNP_REPORT_SIZE;
            if (a->body == NULL) {
                a->status = 500;
                a->len = 0;
            } else {
                memcpy(a->body, j.rsp + 4, SNP_REPORT_SIZE);
            }
        } else {
            char *r = b64(j.rsp + 4, SNP_REPORT_SIZE);
            char *c = ext ? b64(j.rsp + 8 + SNP_REPORT_SIZE, tlen) : NULL;
            json_t *o = r != NULL ? json_pack("{s:s}", "report", r) : NULL;
            if (o != NULL && c != NULL) {
                json_object_set_new(o, "certs", json_string(c));
            }
            json_answer(a, 200, (ext && c == NULL) ? (json_decref(o), NULL) : o);
            free(r);
            free(c);
        }
    }
    free(j.rsp);
}

/* POST /v1/derived-key {"root_key_select": "vcek"|"vmrk", "guest_field_select": N, "vmpl": N,
 * "guest_svn": N, "tcb_version": N} (all optional; MSG_KEY_REQ v1) -> {"key": HEX}. */
static void
do_key(struct server *s, const char *body, size_t len, struct answer *a)
{
    struct snp_msg_key_req k;
    struct job j;
    json_t *in = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    const char *root = "vcek";
    json_int_t gfs = 0, vmpl = 0, svn = 0, tcb = 0;
    size_t n = 0;
    char hex[65];

    memset(&j, 0, sizeof(j));
    memset(&k, 0, sizeof(k));
    if (in == NULL || !json_is_object(in) ||
        json_unpack(in, "{s?s, s?I, s?I, s?I, s?I !}", "root_key_select", &root,
                    "guest_field_select", &gfs, "vmpl", &vmpl, "guest_svn", &svn, "tcb_version",
                    &tcb) != 0 ||
        (strcmp(root, "vcek") != 0 && strcmp(root, "vmrk") != 0) || gfs < 0 || gfs > 0x3F ||
        vmpl < 0 || vmpl > 3 || svn < 0 || svn > UINT32_MAX || tcb < 0) {
        json_decref(in);
        error_answer(a, 400,
                     "want a JSON object with root_key_select (vcek|vmrk), guest_field_select "
                     "(0..0x3f), vmpl (0..3), guest_svn, tcb_version",
                     NULL);
        return;
    }
    k.msg_version = 1;
    k.root_key_select = strcmp(root, "vmrk") == 0 ? 1 : 0;
    k.guest_field_select = (uint64_t)gfs;
    k.vmpl = (uint32_t)vmpl;
    k.guest_svn = (uint32_t)svn;
    k.tcb_version = (uint64_t)tcb;
    json_decref(in);
    j.req[0] = SNP_CHAN_OP_KEY;
    if (snp_msg_key_req_encode(j.req + 4, sizeof(j.req) - 4, &n, &k) != SNP_OK) {
        error_answer(a, 400, "key request does not encode", NULL);
        return;
    }
    j.req_len = 4 + n;
    if (!submit(s, &j)) {
        error_answer(a, 503, "the guest is not running", NULL);
    } else if (!guest_failed(a, &j)) {
        if (j.rsp_len != 4 + 32 || snp_hex_encode(hex, sizeof(hex), j.rsp + 4, 32) != SNP_OK) {
            error_answer(a, 502, "malformed answer from the guest", NULL);
        } else {
            json_answer(a, 200, json_pack("{s:s}", "key", hex));
        }
        snp_wipe(hex, sizeof(hex));
    }
    if (j.rsp != NULL) {
        snp_wipe(j.rsp, j.rsp_len);
    }
    free(j.rsp);
}

static void
do_info(struct server *s, struct answer *a)
{
    char hex[97];

    if (snp_hex_encode(hex, sizeof(hex), s->measurement, 48) != SNP_OK) {
        error_answer(a, 500, "internal error", NULL);
        return;
    }
    json_answer(a, 200,
                json_pack("{s:s, s:s, s:s}", "schema", "snpkit.sim.serve.v1", "measurement", hex,
                          "app", s->hello));
}

/* Per-connection state: the POST body collected so far. */
struct reqctx {
    char body[BODY_MAX];
    size_t len;
    bool too_big;
};

static enum MHD_Result
handler(void *cls, struct MHD_Connection *con, const char *url, const char *method,
        const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    struct server *s = cls;
    struct reqctx *rc = *req_cls;
    struct answer a = {0, NULL, 0, NULL};
    struct MHD_Response *resp;
    enum MHD_Result ret;
    bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;

    (void)version;
    if (rc == NULL) {
        rc = calloc(1, sizeof(*rc));
        *req_cls = rc;
        return rc != NULL ? MHD_YES : MHD_NO;
    }
    if (*upload_size > 0) {
        if (*upload_size > sizeof(rc->body) - rc->len) {
            rc->too_big = true;
        } else {
            memcpy(rc->body + rc->len, upload, *upload_size);
            rc->len += *upload_size;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/v1/report") == 0 && get) {
        do_report(s, con, false, &a);
    } else if (strcmp(url, "/v1/ext-report") == 0 && get) {
        do_report(s, con, true, &a);
    } else if (strcmp(url, "/v1/derived-key") == 0 && post) {
        if (rc->too_big) {
            error_answer(&a, 413, "request body too large", NULL);
        } else {
            do_key(s, rc->body, rc->len, &a);
        }
    } else if (strcmp(url, "/v1/info") == 0 && get) {
        do_info(s, &a);
    } else if (strcmp(url, "/v1/report") == 0 || strcmp(url, "/v1/ext-report") == 0 ||
               strcmp(url, "/v1/derived-key") == 0 || strcmp(url, "/v1/info") == 0) {
        error_answer(&a, 405, "method not allowed", NULL);
    } else {
        error_answer(&a, 404,
                     "no such endpoint (/v1/report, /v1/ext-report, /v1/derived-key, "
                     "/v1/info)",
                     NULL);
    }
    if (a.body == NULL) {
        a.status = 500;
        a.ctype = "text/plain";
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer(a.len, a.body, MHD_RESPMEM_MUST_FREE);
    }
    if (resp == NULL) {
        free(a.body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a.ctype);
    ret = MHD_queue_response(con, a.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void
completed(void *cls, struct MHD_Connection *con, void **req_cls,
          enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    free(*req_cls);
    *req_cls = NULL;
}

/* ---- listeners ---------------------------------------------------------------------------- */

static int
parse_listen(const char *arg, bool allow_remote, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(arg, ':');
    char *end = NULL;
    unsigned long port;

    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    if (colon == NULL || (size_t)(colon - arg) >= sizeof(host)) {
        return -1;
    }
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = '\0';
    port = strtoul(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port > 65535 ||
        inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        return -1;
    }
    sa->sin_port = htons((uint16_t)port);
    if (!allow_remote && (ntohl(sa->sin_addr.s_addr) >> 24) != 127) {
        return -2;
    }
    return 0;
}

static int
unix_listen(const char *path)
{
    struct sockaddr_un su;
    struct stat stt;
    int fd;

    if (strlen(path) >= sizeof(su.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (lstat(path, &stt) == 0) {
        if (!S_ISSOCK(stt.st_mode)) {
            errno = EEXIST;
            return -1;
        }
        unlink(path); /* a stale socket of an earlier run */
    }
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&su, 0, sizeof(su));
    su.sun_family = AF_UNIX;
    strcpy(su.sun_path, path);
    if (bind(fd, (struct sockaddr *)&su, sizeof(su)) != 0 || listen(fd, 16) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void
serve_usage(FILE *out)
{
    fprintf(out,
            "usage: snpkit sim serve [--listen ADDR:PORT] [--unix PATH] [--state DIR]\n"
            "                        [--product milan|genoa|turin] [--allow-remote]\n"
            "                        [--rsa-bits N] [--json]\n"
            "\n"
            "Boot the default CVM (the attestation agent) and keep it running; outside programs\n"
            "ask it for evidence over HTTP (docs/vmm.md):\n"
            "  GET  /v1/report?data=HEX[&vmpl=N][&format=raw|json]  the 1184-byte report\n"
            "  GET  /v1/ext-report?data=HEX[&vmpl=N]   {\"report\": b64, \"certs\": b64 table}\n"
            "  POST /v1/derived-key  {\"root_key_select\": \"vcek\", \"guest_field_select\": N,\n"
            "                         \"vmpl\": N, \"guest_svn\": N, \"tcb_version\": N}\n"
            "  GET  /v1/info         {\"measurement\": HEX, \"app\": ...}\n"
            "  --listen ADDR:PORT  default 127.0.0.1:0 (port 0: an ephemeral port, printed)\n"
            "  --unix PATH         also serve the same API on a Unix socket\n"
            "  --allow-remote      permit an address outside 127.0.0.0/8 (no authentication!)\n"
            "  --json              print the listening line as JSON\n"
            "Stops on SIGINT/SIGTERM. exit codes: 0 stopped by a signal, 1 the guest stopped,\n"
            "2 usage, 3 environment\n");
}

struct serveopts {
    struct simopts o;
    const char *listen;
    const char *unix_path;
    bool allow_remote;
};

static int
serve_args(int argc, char **argv, struct serveopts *so)
{
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"unix", required_argument, NULL, 'u'},
        {"state", required_argument, NULL, 's'},
        {"product", required_argument, NULL, 'p'},
        {"allow-remote", no_argument, NULL, 'a'},
        {"rsa-bits", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
            so->listen = optarg;
            break;
        case 'u':
            so->unix_path = optarg;
            break;
        case 's':
            if (strlen(optarg) >= sizeof(so->o.state)) {
                cli_errorf(optarg, "path too long");
                return CLI_EXIT_USAGE;
            }
            strcpy(so->o.state, optarg);
            break;
        case 'p':
            if (snp_product_parse(optarg, &so->o.product) != SNP_OK) {
                cli_errorf(NULL, "--product: unknown product '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'a':
            so->allow_remote = true;
            break;
        case 'r':
            so->o.rsa_bits = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'j':
            so->o.json = true;
            break;
        case 'h':
            serve_usage(stdout);
            return CLI_EXIT_OK;
        default:
            serve_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_errorf(NULL, "sim serve takes no operands ('%s')", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* Boot the agent CVM with its certificates; the channel goes to @srv. */
static int
boot(struct serveopts *so, struct sim *s, struct server *srv)
{
    struct snp_vendor_opts vo;
    struct snp_vmm_launch l;
    uint32_t fw = 0;
    snp_err err;

    if (so->o.state[0] == '\0' &&
        snp_vendor_state_default(so->o.state, sizeof(so->o.state)) != SNP_OK) {
        cli_errorf(NULL, "no state directory: give --state DIR");
        return CLI_EXIT_ENV;
    }
    memset(&vo, 0, sizeof(vo));
    vo.state_dir = so->o.state;
    vo.rsa_bits = so->o.rsa_bits;
    err = snp_vendor_open(&s->vendor, &vo);
    if (err == SNP_OK) {
        err = sim_machine_open(&so->o, s);
    }
    if (err != SNP_OK) {
        cli_errorf(so->o.state, "cannot open the simulated chip: %s", snp_err_str(err));
        return CLI_EXIT_ENV;
    }
    snp_vmm_launch_default(&l);
    l.cmdline = "console=ttyS0 snpkit.app=agent";
    l.entry = snp_guest_app_main;
    err = snp_vmm_new(&s->vmm, s->m, &l, &fw);
    if (err == SNP_OK) {
        memcpy(srv->measurement, snp_vmm_info(s->vmm)->measurement, 48);
        err = sim_collateral(&so->o, s);
    }
    if (err != SNP_OK) {
        cli_errorf(NULL, "launch failed: %s (firmware status 0x%x)", snp_err_str(err), fw);
        return CLI_EXIT_ENV;
    }
    snp_vmm_set_channel(s->vmm, serve_chan, srv);
    return -1;
}

static void
print_listening(const struct serveopts *so, const struct sockaddr_in *sa, unsigned port,
                const struct server *srv)
{
    char addr[INET_ADDRSTRLEN] = "?";

    inet_ntop(AF_INET, &sa->sin_addr, addr, sizeof(addr));
    if (so->o.json) {
        printf("{\"schema\": \"snpkit.sim.serve.v1\", \"url\": \"http://%s:%u\", \"port\": %u, "
               "\"unix\": ",
               addr, port, port);
        if (so->unix_path != NULL) {
            cli_json_str(stdout, so->unix_path);
        } else {
            printf("null");
        }
        printf(", \"measurement\": ");
        cli_json_hex(stdout, srv->measurement, 48);
        printf("}\n");
    } else {
        printf("listening on http://%s:%u%s%s\n", addr, port,
               so->unix_path != NULL ? " and unix:" : "",
               so->unix_path != NULL ? so->unix_path : "");
        printf("MEASUREMENT: ");
        for (size_t i = 0; i < 48; i++) {
            printf("%02x", srv->measurement[i]);
        }
        printf("\n");
    }
    fflush(stdout);
}

int
sim_serve(int argc, char **argv)
{
    struct serveopts so;
    struct server srv;
    struct sim s;
    struct sockaddr_in sa;
    struct sigaction sig;
    struct MHD_Daemon *d = NULL, *du = NULL;
    struct snp_vmm_status st;
    const union MHD_DaemonInfo *info;
    int rc, ufd = -1;
    snp_err err;

    memset(&so, 0, sizeof(so));
    memset(&s, 0, sizeof(s));
    memset(&srv, 0, sizeof(srv));
    so.o.vcpus = 1;
    so.o.product = SNP_PRODUCT_GENOA;
    so.o.policy = UINT64_C(0x30000);
    so.o.app = "agent";
    so.listen = "127.0.0.1:0";
    rc = serve_args(argc, argv, &so);
    if (rc >= 0) {
        return rc;
    }
    rc = parse_listen(so.listen, so.allow_remote, &sa);
    if (rc != 0) {
        cli_errorf(so.listen, "%s",
                   rc == -2 ? "not on loopback (see --allow-remote)" : "want IPv4 ADDR:PORT");
        return CLI_EXIT_USAGE;
    }
    pthread_mutex_init(&srv.mu, NULL);
    pthread_cond_init(&srv.cv, NULL);
    pthread_mutex_init(&srv.serial, NULL);
    memset(&sig, 0, sizeof(sig));
    sig.sa_handler = on_signal;
    sigemptyset(&sig.sa_mask);
    sigaction(SIGINT, &sig, NULL);
    sigaction(SIGTERM, &sig, NULL);
    rc = boot(&so, &s, &srv);
    if (rc >= 0) {
        goto out;
    }
    rc = CLI_EXIT_ENV;
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, &srv,
                         MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                         MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 64u,
                         MHD_OPTION_END);
    if (d == NULL) {
        cli_errorf(so.listen, "cannot listen there");
        goto out;
    }
    if (so.unix_path != NULL) {
        ufd = unix_listen(so.unix_path);
        if (ufd >= 0) {
            du = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handler, &srv,
                                  MHD_OPTION_LISTEN_SOCKET, ufd, MHD_OPTION_NOTIFY_COMPLETED,
                                  completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                                  MHD_OPTION_END);
        }
        if (du == NULL) {
            cli_errorf(so.unix_path, "cannot listen on this Unix socket: %s", strerror(errno));
            goto out;
        }
        ufd = -1; /* transferred: MHD closes it */
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    print_listening(&so, &sa, info != NULL ? info->port : ntohs(sa.sin_port), &srv);
    /* The VM runs here until a signal makes the channel send SHUTDOWN, or the guest stops. */
    err = snp_vmm_run(s.vmm, 0, &st);
    pthread_mutex_lock(&srv.mu);
    srv.gone = true;
    pthread_cond_broadcast(&srv.cv);
    pthread_mutex_unlock(&srv.mu);
    if (err != SNP_OK || !stop_flag) {
        cli_errorf(NULL, "the guest stopped (stop %d, %s)", (int)st.stop, snp_err_str(err));
        rc = CLI_EXIT_REJECTED;
    } else {
        rc = CLI_EXIT_OK;
    }
out:
    if (du != NULL) {
        MHD_stop_daemon(du);
    }
    if (ufd >= 0) {
        close(ufd);
    }
    if (so.unix_path != NULL && (du != NULL || ufd >= 0 || rc == CLI_EXIT_OK)) {
        unlink(so.unix_path);
    }
    if (d != NULL) {
        MHD_stop_daemon(d);
    }
    sim_free(&s);
    pthread_mutex_destroy(&srv.serial);
    pthread_cond_destroy(&srv.cv);
    pthread_mutex_destroy(&srv.mu);
    return rc;
}
