// gzip-go LEVEL FLUSH_EVERY MEMBER_EVERY < in > out: Go's compress/gzip at LEVEL, with a sync flush every FLUSH_EVERY input bytes
// and a new member every MEMBER_EVERY (0: none), for zinfo-streams.py (GO_GZIP).
package main

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"strconv"
)

func main() {
	level, _ := strconv.Atoi(os.Args[1])
	flushEvery, _ := strconv.Atoi(os.Args[2])
	memberEvery, _ := strconv.Atoi(os.Args[3])
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	w, _ := gzip.NewWriterLevel(out, level)
	buf := make([]byte, 4096)
	sinceFlush, sinceMember := 0, 0
	for {
		n, err := in.Read(buf)
		if n > 0 {
			w.Write(buf[:n])
			sinceFlush += n
			sinceMember += n
			if flushEvery > 0 && sinceFlush >= flushEvery {
				w.Flush()
				sinceFlush = 0
			}
			if memberEvery > 0 && sinceMember >= memberEvery {
				w.Close()
				w, _ = gzip.NewWriterLevel(out, level)
				sinceMember = 0
			}
		}
		if err == io.EOF {
			break
		}
	}
	w.Close()
}
