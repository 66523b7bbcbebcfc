// Command gostreams writes the gzip streams of ztoc-core's test resources go-gzip/: layers as Go's
// compress/gzip writes them (docker, BuildKit, containerd and go-containerregistry compress layers with
// it), at the levels and with the flushes and member boundaries those tools use. The content is
// generated from fixed seeds, so the streams are the same on every run of the same Go version.
//
//	go run ztoc-core/src/test/go/gostreams.go ztoc-core/src/test/resources/go-gzip
//
// The files were made with go1.19.8 (Debian 12's golang-go).
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
)

type stream struct {
	name        string
	level       int
	flushEvery  int // bytes of input between sync flushes (0: none)
	memberEvery int // bytes of input between gzip members (0: one member)
	size        int
}

var streams = []stream{
	{"best-speed", gzip.BestSpeed, 0, 0, 150_000},
	{"default", gzip.DefaultCompression, 0, 0, 150_000},
	{"best-compression", gzip.BestCompression, 0, 0, 150_000},
	{"huffman-only", gzip.HuffmanOnly, 0, 0, 150_000},
	{"stored", gzip.NoCompression, 0, 0, 100_000},
	{"default-sync-flushes", gzip.DefaultCompression, 40_000, 0, 150_000},
	{"best-speed-sync-flushes", gzip.BestSpeed, 9_000, 0, 200_000},
	{"huffman-only-sync-flushes", gzip.HuffmanOnly, 20_000, 0, 200_000},
	{"default-members", gzip.DefaultCompression, 0, 100_000, 300_000},
	{"best-speed-members-and-flushes", gzip.BestSpeed, 30_000, 130_000, 250_000},
}

// content mixes what layers hold: text, incompressible bytes, runs, and repeats at near and far distances.
func content(r *rand.Rand, n int) []byte {
	words := []string{"the ", "quick ", "brown ", "fox ", "jumps\n", "lazy ", "dog ", "usr/lib/", "#include <", "0x", "return "}
	b := make([]byte, 0, n)
	for len(b) < n {
		run := 1 + r.Intn(20_000)
		switch r.Intn(5) {
		case 0:
			for j := 0; j < run/8; j++ {
				b = append(b, byte(r.Intn(256)))
			}
		case 1:
			for j := 0; j < run/6; j++ {
				b = append(b, words[int(float64(len(words))*r.Float64()*r.Float64())]...)
			}
		case 2:
			v := byte(r.Intn(4))
			for j := 0; j < run; j++ {
				b = append(b, v)
			}
		default:
			for j := 0; j < run; j++ {
				d := 1 + r.Intn(8)
				if r.Intn(2) == 0 {
					d = 1 + r.Intn(32768)
				}
				if d <= len(b) {
					b = append(b, b[len(b)-d])
				} else {
					b = append(b, byte(r.Intn(4)))
				}
			}
		}
	}
	return b[:n]
}

func compress(s stream, data []byte) []byte {
	var out bytes.Buffer
	w, err := gzip.NewWriterLevel(&out, s.level)
	if err != nil {
		panic(err)
	}
	sinceFlush, sinceMember := 0, 0
	for i := 0; i < len(data); i += 4096 {
		end := i + 4096
		if end > len(data) {
			end = len(data)
		}
		w.Write(data[i:end])
		sinceFlush += end - i
		sinceMember += end - i
		if s.flushEvery > 0 && sinceFlush >= s.flushEvery {
			w.Flush()
			sinceFlush = 0
		}
		if s.memberEvery > 0 && sinceMember >= s.memberEvery && end < len(data) {
			w.Close()
			w, _ = gzip.NewWriterLevel(&out, s.level)
			sinceMember = 0
		}
	}
	w.Close()
	return out.Bytes()
}

func main() {
	dir := os.Args[1]
	for i, s := range streams {
		data := content(rand.New(rand.NewSource(int64(1000+i))), s.size)
		gz := compress(s, data)
		if err := os.WriteFile(filepath.Join(dir, s.name+".gz"), gz, 0o644); err != nil {
			panic(err)
		}
		fmt.Printf("%-32s %8d -> %8d bytes\n", s.name, len(data), len(gz))
	}
}
