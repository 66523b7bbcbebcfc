// tarlist FILE.tar.gz...: the TOC soci's builder takes from each layer (Go's multistream gzip reader, archive/tar, and
// soci's type mapping and fields: soci-format §3), one line per entry, for tar-vs-go.sh.
package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func typeOf(f byte) (string, bool) {
	switch f {
	case tar.TypeReg:
		return "reg", true
	case tar.TypeLink:
		return "hardlink", true
	case tar.TypeSymlink:
		return "symlink", true
	case tar.TypeChar:
		return "char", true
	case tar.TypeBlock:
		return "block", true
	case tar.TypeDir:
		return "dir", true
	case tar.TypeFifo:
		return "fifo", true
	}
	return "", false
}

func list(path string, out *bufio.Writer) {
	f, err := os.Open(path)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Fprintf(out, "CASE %s\n", path)
	gz, err := gzip.NewReader(f)
	if err != nil {
		fmt.Fprintf(out, "ERR gzip %v\n", err)
		return
	}
	c := &counter{r: gz}
	tr := tar.NewReader(c)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			// soci also reads the whole gzip stream (zinfo pass): a broken trailer fails it
			if _, err := io.Copy(io.Discard, gz); err != nil {
				fmt.Fprintf(out, "ERR gzip-tail %v\n", err)
				return
			}
			fmt.Fprintf(out, "END %d\n", c.n)
			return
		}
		if err != nil {
			fmt.Fprintf(out, "ERR tar %v\n", err)
			return
		}
		t, ok := typeOf(h.Typeflag)
		if !ok {
			fmt.Fprintf(out, "ERR unsupported %q\n", h.Typeflag)
			return
		}
		mt, err := h.ModTime.MarshalText()
		if err != nil {
			mt = nil
		}
		keys := make([]string, 0, len(h.PAXRecords))
		for k := range h.PAXRecords {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var x []string
		for _, k := range keys {
			x = append(x, hex.EncodeToString([]byte(k))+"="+hex.EncodeToString([]byte(h.PAXRecords[k])))
		}
		fmt.Fprintf(out, "E %s %s %d %d %s %d %d %d %s %s %s %d %d [%s]\n", hex.EncodeToString([]byte(h.Name)), t, c.n, h.Size,
			hex.EncodeToString([]byte(h.Linkname)), h.Mode, uint32(h.Uid), uint32(h.Gid), hex.EncodeToString([]byte(h.Uname)),
			hex.EncodeToString([]byte(h.Gname)), hex.EncodeToString(mt), h.Devmajor, h.Devminor, strings.Join(x, ","))
	}
}

func main() {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, p := range os.Args[1:] {
		list(p, out)
	}
}
