package io.candor.interop.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir
    Path dir;

    private static HostTensor resource(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            return Npy.read(in, name);
        }
    }

    @Test
    void readsWhatNumPyWrites() throws IOException {
        HostTensor f = resource("f32_2x3.npy");
        assertArrayEquals(new long[] {2, 3}, f.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, f.toFloatArray());
        assertArrayEquals(new long[] {-1, 0, 7}, resource("i64_3.npy").toLongArray());
        HostTensor scalar = resource("f64_scalar.npy");
        assertEquals(0, scalar.rank());
        assertEquals(2.5f, scalar.toFloatArray()[0]);
        assertArrayEquals(new long[] {1, 0, 0, 1}, resource("bool_2x2.npy").toLongArray());
        assertArrayEquals(new long[] {0, 1, 128, 255}, resource("u8_4.npy").toLongArray());
        assertArrayEquals(new float[] {0, 1, 2, 3}, resource("big_endian.npy").toFloatArray(), "big-endian is converted");
    }

    @Test
    void readsVersion2Headers() throws IOException {
        String dict = "{'shape': (2,), 'fortran_order': False, 'descr': '<i8'}";
        String header = dict + " ".repeat(64 - (12 + dict.length() + 1) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(12 + header.length() + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).putLong(5).putLong(-6);
        HostTensor t = Npy.read(new java.io.ByteArrayInputStream(b.array()), "v2");
        assertArrayEquals(new long[] {5, -6}, t.toLongArray(), "keys in another order, 4-byte length");
    }

    @Test
    void refusesFortranOrderAndObjectsWithAHint() {
        CandorException fortran = assertThrows(CandorException.class, () -> resource("fortran.npy"));
        assertTrue(fortran.getMessage().contains("fortran.npy") && fortran.getMessage().contains("ascontiguousarray"),
                fortran.getMessage());
        CandorException objects = assertThrows(CandorException.class, () -> resource("objects.npy"));
        assertTrue(objects.getMessage().contains("objects.npy") && objects.getMessage().contains("object"), objects.getMessage());
    }

    @Test
    void roundTripsEveryTypeAndShape() {
        HostTensor[] tensors = {
            HostTensor.ofFloats(new long[] {2, 2}, 1.5f, -2, 0, 3),
            HostTensor.ofFloats(new long[0], 7),
            HostTensor.ofFloats(new long[] {0, 3}),
            HostTensor.ofLongs(new long[] {3}, Long.MIN_VALUE, 0, Long.MAX_VALUE),
            new HostTensor(DataType.FLOAT64, new long[] {1}, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0, Math.PI)),
            new HostTensor(DataType.INT32, new long[] {1}, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, -9)),
            new HostTensor(DataType.UINT8, new long[] {2}, ByteBuffer.wrap(new byte[] {1, (byte) 200})),
            new HostTensor(DataType.INT8, new long[] {2}, ByteBuffer.wrap(new byte[] {-1, 5})),
            new HostTensor(DataType.BOOL, new long[] {2}, ByteBuffer.wrap(new byte[] {1, 0})),
        };
        for (HostTensor t : tensors) {
            Path file = dir.resolve("t.npy");
            Npy.write(file, t);
            HostTensor back = Npy.read(file);
            assertEquals(t.type(), back.type());
            assertArrayEquals(t.shape(), back.shape());
            assertEquals(t.data(), back.data(), t.toString());
        }
    }

    @Test
    void writesHeadersAlignedTo64BytesAsNumPyDoes() {
        byte[] bytes = Npy.toBytes(HostTensor.ofFloats(new long[] {5}, 1, 2, 3, 4, 5));
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLength) % 64);
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"), header);
        assertTrue(header.endsWith("\n"));
    }

    @Test
    void badFilesAreNamed() throws IOException {
        Path text = dir.resolve("text.npy");
        Files.writeString(text, "hello");
        assertThrows(CandorException.class, () -> Npy.read(text), "not npy");
        Path cut = dir.resolve("cut.npy");
        byte[] whole = Npy.toBytes(HostTensor.ofFloats(new long[] {4}, 1, 2, 3, 4));
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 3));
        CandorException e = assertThrows(CandorException.class, () -> Npy.read(cut));
        assertTrue(e.getMessage().contains("cut.npy") && e.getMessage().contains("truncated"), e.getMessage());
        CandorException missing = assertThrows(CandorException.class, () -> Npy.read(dir.resolve("none.npy")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void aFailedWriteLeavesTheOldFileIntact() throws IOException {
        Path file = dir.resolve("keep.npy");
        Npy.write(file, HostTensor.ofFloats(new long[] {1}, 42));
        assertThrows(CandorException.class, () -> AtomicFiles.write(file, out -> {
            out.write(1);
            throw new IOException("disk full");
        }));
        assertArrayEquals(new float[] {42}, Npy.read(file).toFloatArray());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }
}
