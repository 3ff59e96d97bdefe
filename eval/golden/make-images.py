# Writes the golden corpus's images: solid-colour PNGs (stdlib only). Re-running gives the same bytes, so the same media ids.
import os, struct, zlib

def png(path, w, h, rgb):
    raw = b''.join(b'\x00' + bytes(rgb) * w for _ in range(h))
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))

here = os.path.dirname(os.path.abspath(__file__))
png(os.path.join(here, 'kallio-light.png'), 160, 240, (200, 30, 30))
png(os.path.join(here, 'tyre-levers.png'), 240, 160, (30, 80, 210))
png(os.path.join(here, 'bakery', 'crust.png'), 240, 160, (120, 70, 30))
