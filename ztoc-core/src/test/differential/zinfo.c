/* zinfo SPAN FILE.gz...: the checkpoints soci's gzip_zinfo.c takes with zlib (zran's Z_BLOCK loop, soci-format §4.1),
 * one line per checkpoint: in, out, bits and an FNV-1a 64 hash of its 32 KiB window, for zinfo-vs-zlib.sh.
 * Build: cc -O2 -o zinfo zinfo.c -lz */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define CHUNK 16384
#define WINSIZE 32768

static uint64_t fnv(const unsigned char *b, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static void list(const char *path, long long span) {
  printf("CASE %s\n", path);
  FILE *f = fopen(path, "rb");
  if (!f) { printf("ERR open\n"); return; }
  z_stream s;
  memset(&s, 0, sizeof s);
  if (inflateInit2(&s, 47) != Z_OK) { printf("ERR init\n"); fclose(f); return; }
  static unsigned char in[CHUNK], window[WINSIZE], ordered[WINSIZE];
  memset(window, 0, sizeof window);
  long long totin = 0, totout = 0, last = 0;
  int ret = Z_OK;
  s.avail_out = 0;
  for (;;) {
    if (s.avail_in == 0) {
      s.avail_in = fread(in, 1, CHUNK, f);
      s.next_in = in;
      if (s.avail_in == 0) {
        if (ret == Z_STREAM_END) break; /* the end, right after a member */
        printf("ERR premature end\n");
        goto done;
      }
      if (ret == Z_STREAM_END) { /* more input after a member: the next member (soci v0.14+) */
        inflateReset2(&s, 47);
        ret = Z_OK;
      }
    }
    do {
      if (s.avail_out == 0) { s.avail_out = WINSIZE; s.next_out = window; }
      totin += s.avail_in;
      totout += s.avail_out;
      ret = inflate(&s, Z_BLOCK);
      totin -= s.avail_in;
      totout -= s.avail_out;
      if (ret == Z_NEED_DICT) ret = Z_DATA_ERROR;
      if (ret == Z_MEM_ERROR || ret == Z_DATA_ERROR || ret == Z_BUF_ERROR) {
        printf("ERR inflate %d\n", ret);
        goto done;
      }
      if (ret == Z_STREAM_END) {
        if (s.avail_in > 0) { inflateReset2(&s, 47); ret = Z_OK; continue; }
        break;
      }
      if ((s.data_type & 128) && !(s.data_type & 64) && (totout == 0 || totout - last > span)) {
        unsigned left = s.avail_out;
        if (left) memcpy(ordered, window + WINSIZE - left, left);
        if (left < WINSIZE) memcpy(ordered + left, window, WINSIZE - left);
        printf("C %lld %lld %d %016llx\n", totin, totout, s.data_type & 7, (unsigned long long) fnv(ordered, WINSIZE));
        last = totout;
      }
    } while (s.avail_in != 0);
  }
  printf("END %lld\n", totout);
done:
  inflateEnd(&s);
  fclose(f);
}

int main(int argc, char **argv) {
  long long span = atoll(argv[1]);
  for (int i = 2; i < argc; i++) list(argv[i], span);
  return 0;
}
