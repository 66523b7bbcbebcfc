"""The listings the differential campaigns compare: 'CASE <layer>' lines, each followed by that layer's lines."""


def cases(path):
    """{layer: [lines]} of a listing, in its order."""
    out, cur = {}, None
    for line in open(path, encoding='latin-1'):
        line = line.rstrip('\n')
        if line.startswith('CASE '):
            cur = line[5:]
            out[cur] = []
        else:
            out[cur].append(line)
    return out
