package io.candor.interop.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    /** The files in src/test/resources/npy that NumPy wrote with np.save and default options. */
    private static final List<String> NUMPY_SAVED = List.of("f32_2x3.npy", "i64_3.npy", "f64_scalar.npy",
            "bool_2x2.npy", "u8_4.npy", "i32_2x2.npy", "i8_3.npy", "empty_0x3.npy");

    @TempDir
    Path dir;

    private static byte[] resourceBytes(String name) {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            assertTrue(in != null, "missing test resource " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HostTensor resource(String name) {
        return Npy.read(new ByteArrayInputStream(resourceBytes(name)), name);
    }

    /** A .npy file around {@code dict}, padded the way NumPy pads (spaces, final newline, 64-byte aligned). */
    private static byte[] npy(int version, String dict, byte[] data) {
        int prefix = version == 1 ? 10 : 12;
        int unpadded = dict.length() + 1;
        String header = dict + " ".repeat(64 - (prefix + unpadded) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(prefix + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            b.putShort((short) header.length());
        } else {
            b.putInt(header.length());
        }
        b.put(header.getBytes(StandardCharsets.UTF_8)).put(data);
        return b.array();
    }

    private static HostTensor parse(byte[] bytes, String name) {
        return Npy.read(new ByteArrayInputStream(bytes), name);
    }

    private static byte[] littleEndianFloats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** Asserts a CandorException (not some other exception) whose message holds every fragment. */
    private static CandorException assertFails(Executable read, String... fragments) {
        CandorException e = assertThrows(CandorException.class, read);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should contain '" + f + "'");
        }
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        return e;
    }

    private static String header(byte[] file) {
        int version = file[6];
        int length = version == 1
                ? (file[8] & 0xff) | (file[9] & 0xff) << 8
                : ByteBuffer.wrap(file, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int prefix = version == 1 ? 10 : 12;
        assertEquals(0, (prefix + length) % 64, "the data starts at a multiple of 64 bytes");
        return new String(file, prefix, length, StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------------------------------------
    // Compatibility with NumPy

    @Test
    void readsWhatNumPyWrites() {
        HostTensor f = resource("f32_2x3.npy");
        assertEquals(DataType.FLOAT32, f.type());
        assertArrayEquals(new long[] {2, 3}, f.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, f.toFloatArray());

        HostTensor i64 = resource("i64_3.npy");
        assertEquals(DataType.INT64, i64.type());
        assertArrayEquals(new long[] {3}, i64.shape());
        assertArrayEquals(new long[] {-1, 0, 7}, i64.toLongArray());

        HostTensor scalar = resource("f64_scalar.npy");
        assertEquals(DataType.FLOAT64, scalar.type());
        assertEquals(0, scalar.rank());
        assertEquals(2.5, scalar.data().getDouble(0));

        HostTensor bool = resource("bool_2x2.npy");
        assertEquals(DataType.BOOL, bool.type());
        assertArrayEquals(new long[] {1, 0, 0, 1}, bool.toLongArray());

        HostTensor u8 = resource("u8_4.npy");
        assertEquals(DataType.UINT8, u8.type());
        assertArrayEquals(new long[] {0, 1, 128, 255}, u8.toLongArray());

        HostTensor i32 = resource("i32_2x2.npy");
        assertEquals(DataType.INT32, i32.type());
        assertArrayEquals(new long[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}, i32.toLongArray());

        HostTensor i8 = resource("i8_3.npy");
        assertEquals(DataType.INT8, i8.type());
        assertArrayEquals(new long[] {-128, 0, 127}, i8.toLongArray());

        HostTensor empty = resource("empty_0x3.npy");
        assertArrayEquals(new long[] {0, 3}, empty.shape());
        assertEquals(0, empty.size());
    }

    @Test
    void readsNumPyVersion2And3Headers() {
        HostTensor v2 = resource("v2_f64.npy");
        assertEquals(DataType.FLOAT64, v2.type());
        assertArrayEquals(new float[] {0.5f, -1, 3}, v2.toFloatArray());
        HostTensor v3 = resource("v3_i64.npy");
        assertArrayEquals(new long[] {2, 2}, v3.shape());
        assertArrayEquals(new long[] {1, 2, 3, 4}, v3.toLongArray());
    }

    @Test
    void convertsBigEndianArraysToLittleEndian() {
        HostTensor f4 = resource("big_endian.npy");
        assertEquals(DataType.FLOAT32, f4.type());
        assertArrayEquals(new float[] {0, 1, 2, 3}, f4.toFloatArray());
        assertEquals(ByteOrder.LITTLE_ENDIAN, f4.data().order());
        assertEquals(1f, f4.data().getFloat(4), "the bytes themselves are little-endian now");
        assertArrayEquals(new long[] {-2, 300}, resource("big_endian_i8.npy").toLongArray());
        assertEquals(-0.25, resource("big_endian_f8.npy").data().getDouble(8));
    }

    @Test
    void writesTheBytesNumPyWrites() {
        for (String name : NUMPY_SAVED) {
            byte[] numpy = resourceBytes(name);
            assertArrayEquals(numpy, Npy.toBytes(resource(name)), name + " as Java writes it");
        }
    }

    @Test
    void writesFilesByteForByteAsToBytes() throws IOException {
        HostTensor t = resource("f32_2x3.npy");
        Path file = dir.resolve("out.npy");
        Npy.write(file, t);
        assertArrayEquals(resourceBytes("f32_2x3.npy"), Files.readAllBytes(file));
    }

    // ---------------------------------------------------------------------------------------------
    // Round trips and the header Java writes

    private static HostTensor randomTensor(DataType type, long[] shape, Random random) {
        byte[] bytes = new byte[Math.toIntExact(HostTensor.elementCount(shape) * type.bytes())];
        random.nextBytes(bytes);
        if (type == DataType.BOOL) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] &= 1;
            }
        }
        if (type.isFloating()) { // random bit patterns include NaNs, whose payload need not survive a compare
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < bytes.length / type.bytes(); i++) {
                if (type == DataType.FLOAT32) {
                    b.putFloat(i * 4, (float) random.nextGaussian());
                } else {
                    b.putDouble(i * 8, random.nextGaussian());
                }
            }
        }
        return new HostTensor(type, shape, ByteBuffer.wrap(bytes));
    }

    @Test
    void roundTripsEveryTypeAndShape() throws IOException {
        long[][] shapes = {{}, {1}, {5}, {2, 3}, {2, 3, 4}, {0}, {0, 3}, {3, 0, 2}, {1, 1, 1, 1, 7}};
        Random random = new Random(7);
        for (DataType type : DataType.values()) {
            for (long[] shape : shapes) {
                String what = type + " " + Arrays.toString(shape);
                HostTensor t = randomTensor(type, shape, random);
                Path file = dir.resolve("t.npy");
                Npy.write(file, t);
                HostTensor back = Npy.read(file);
                assertEquals(type, back.type(), what);
                assertArrayEquals(shape, back.shape(), what);
                assertEquals(t.data(), back.data(), what);
                String header = header(Files.readAllBytes(file));
                assertTrue(header.startsWith("{'descr': '" + type.npyDescr() + "', 'fortran_order': False, 'shape': "),
                        header);
                assertTrue(header.endsWith("\n") && header.indexOf('\n') == header.length() - 1, what);
            }
        }
    }

    @Test
    void writesShapesAsPythonTuples() {
        assertTrue(header(Npy.toBytes(HostTensor.ofFloats(new long[] {5}, 1, 2, 3, 4, 5)))
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }"));
        assertTrue(header(Npy.toBytes(HostTensor.ofFloats(new long[] {2, 3}, new float[6])))
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
        assertTrue(header(Npy.toBytes(HostTensor.ofLongs(new long[0], 9)))
                .startsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (), }"));
        byte[] file = Npy.toBytes(HostTensor.ofFloats(new long[] {5}, 1, 2, 3, 4, 5));
        assertEquals(1, file[6], "version 1.0");
        assertEquals(0, file[7]);
    }

    @Test
    void usesVersion2OnlyWhenTheHeaderOutgrows64KiB() {
        long[] shape = new long[23_000]; // "1, " per axis: a header of about 69,000 bytes
        Arrays.fill(shape, 1);
        HostTensor t = HostTensor.ofFloats(shape, 4.5f);
        byte[] file = Npy.toBytes(t);
        assertEquals(2, file[6], "version 2.0");
        assertTrue(header(file).length() > 65535);
        HostTensor back = parse(file, "wide.npy");
        assertArrayEquals(shape, back.shape());
        assertArrayEquals(new float[] {4.5f}, back.toFloatArray());
    }

    // ---------------------------------------------------------------------------------------------
    // Headers made by hand

    @Test
    void readsHandMadeVersion1And2Headers() {
        byte[] data = littleEndianFloats(0, 1, 2, 3, 4, 5);
        String numpyStyle = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        for (int version : new int[] {1, 2}) {
            byte[] bytes = npy(version, numpyStyle, data);
            assertTrue(header(bytes).startsWith(numpyStyle + " "), "the helper pads as NumPy does");
            HostTensor t = parse(bytes, "v" + version);
            assertArrayEquals(new long[] {2, 3}, t.shape(), "version " + version);
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.toFloatArray(), "version " + version);
        }
    }

    @Test
    void toleratesKeyOrderSpacingQuotesAndTrailingCommas() {
        byte[] two = littleEndianFloats(1.5f, -2);
        String[] dicts = {
            "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
            "{'descr':'<f4','fortran_order':False,'shape':(2,)}",
            "{ 'fortran_order' : False ,\n 'shape' : ( 2 , ) , 'descr' : '<f4' , }",
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}",
            "{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }",
            "{'descr': 'f4', 'fortran_order': False, 'shape': (2L,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': [2], }",
        };
        for (String dict : dicts) {
            HostTensor t = parse(npy(1, dict, two), "tolerant.npy");
            assertArrayEquals(new long[] {2}, t.shape(), dict);
            assertArrayEquals(new float[] {1.5f, -2}, t.toFloatArray(), dict);
        }
    }

    @Test
    void acceptsEveryByteOrderSpellingOfTheSupportedTypes() {
        Object[][] cases = {
            {"<f4", DataType.FLOAT32}, {"<f8", DataType.FLOAT64}, {"<i8", DataType.INT64}, {"<i4", DataType.INT32},
            {"|u1", DataType.UINT8}, {"<u1", DataType.UINT8}, {"|i1", DataType.INT8}, {"<i1", DataType.INT8},
            {"|b1", DataType.BOOL}, {"=i4", DataType.INT32}, {">u1", DataType.UINT8},
        };
        for (Object[] c : cases) {
            DataType type = (DataType) c[1];
            byte[] data = new byte[3 * type.bytes()];
            data[0] = 1;
            HostTensor t = parse(npy(1, "{'descr': '" + c[0] + "', 'fortran_order': False, 'shape': (3,), }", data),
                    "types.npy");
            assertEquals(type, t.type(), (String) c[0]);
            assertEquals(1, t.data().get(0), (String) c[0] + ": little-endian bytes as they were");
        }
        HostTensor big = parse(npy(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }",
                new byte[] {0, 0, 1, 2}), "big.npy");
        assertArrayEquals(new long[] {0x0102}, big.toLongArray());
    }

    @Test
    void readsScalarsAndOneDimensionalShapes() {
        HostTensor scalar = parse(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                littleEndianFloats(3.25f)), "scalar.npy");
        assertEquals(0, scalar.rank());
        assertArrayEquals(new float[] {3.25f}, scalar.toFloatArray());
        HostTensor five = parse(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }",
                littleEndianFloats(1, 2, 3, 4, 5)), "five.npy");
        assertArrayEquals(new long[] {5}, five.shape());
        HostTensor none = parse(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", new byte[0]),
                "none.npy");
        assertArrayEquals(new long[] {0, 4}, none.shape());
    }

    // ---------------------------------------------------------------------------------------------
    // Errors

    @Test
    void refusesFilesThatAreNotNpy() throws IOException {
        Path text = dir.resolve("text.npy");
        Files.writeString(text, "hello, this is not numpy");
        assertFails(() -> Npy.read(text), "text.npy", "not a .npy file");
        Path empty = dir.resolve("empty.npy");
        Files.write(empty, new byte[0]);
        assertFails(() -> Npy.read(empty), "empty.npy", "not a .npy file");
        assertFails(() -> Npy.read(dir.resolve("none.npy")), "none.npy", "does not exist");
        assertFails(() -> Npy.read(dir), dir.toString(), "folder");
        byte[] future = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", littleEndianFloats(1));
        future[6] = 4;
        assertFails(() -> parse(future, "future.npy"), "future.npy", "version 4.0", "not supported");
    }

    @Test
    void refusesTruncatedFiles() throws IOException {
        byte[] whole = Npy.toBytes(HostTensor.ofFloats(new long[] {4}, 1, 2, 3, 4));
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 3));
        assertFails(() -> Npy.read(cut), "cut.npy", "truncated", "needs 16 bytes", "has 13");
        Path cutHeader = dir.resolve("cut-header.npy");
        Files.write(cutHeader, Arrays.copyOf(whole, 40));
        assertFails(() -> Npy.read(cutHeader), "cut-header.npy", "truncated inside its .npy header");
        assertFails(() -> parse(Arrays.copyOf(whole, 9), "cut-length.npy"), "cut-length.npy", "truncated");
        byte[] hugeClaim = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }", new byte[8]);
        assertFails(() -> parse(hugeClaim, "claim.npy"), "claim.npy", "truncated");
    }

    @Test
    void refusesFortranOrderWithAHint() {
        assertFails(() -> resource("fortran.npy"), "fortran.npy",
                "Fortran-order arrays are not supported; save with", "np.ascontiguousarray");
    }

    @Test
    void refusesObjectStructuredAndOtherTypesNamingThem() {
        assertFails(() -> resource("objects.npy"), "objects.npy", "object array", "'|O'");
        assertFails(() -> resource("structured.npy"), "structured.npy", "structured");
        assertFails(() -> resource("f16.npy"), "f16.npy", "'<f2' (float16) is not supported",
                "supported: float32 (<f4), float64 (<f8), int64 (<i8), int32 (<i4), int8 (|i1), uint8 (|u1), bool (|b1)");
        for (String descr : new String[] {"<U3", "<c8", "<u8", "<M8[ns]", "|S2", "<i2", "xyz", ""}) {
            byte[] bytes = npy(1, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }", new byte[16]);
            assertFails(() -> parse(bytes, "odd.npy"), "odd.npy", "'" + descr + "'", "is not supported");
        }
    }

    @Test
    void refusesUnparseableHeadersWithoutUncheckedExceptions() {
        String[] dicts = {
            "",
            "hello",
            "{'descr': '<f4', 'fortran_order': False}",
            "{'descr': '<f4', 'shape': (2,)}",
            "{'fortran_order': False, 'shape': (2,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,",
            "{'descr': '<f4', 'fortran_order': False, 'shape': '2', }",
            "{'descr': '<f4', 'fortran_order': 'no', 'shape': (2,), }",
            "{'descr': 4, 'fortran_order': False, 'shape': (2,), }",
            "{'descr': '<f4 , 'fortran_order': False, 'shape': (2,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } extra",
            "{'descr' '<f4', 'fortran_order': False, 'shape': (2,), }",
            "{4: '<f4', 'fortran_order': False, 'shape': (2,), }",
            "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-,), }",
        };
        for (String dict : dicts) {
            byte[] bytes = npy(1, dict, new byte[8]);
            CandorException e = assertThrows(CandorException.class, () -> parse(bytes, "bad.npy"), dict);
            assertTrue(e.getMessage().startsWith("bad.npy: cannot parse the .npy header"), e.getMessage());
        }
        byte[] claim = npy(2, "{}", new byte[0]);
        claim[11] = 0x7f; // a header length of about 2 GB
        assertFails(() -> parse(claim, "claim.npy"), "claim.npy", "cannot parse the .npy header");
        byte[] overflow = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }",
                new byte[0]);
        assertFails(() -> parse(overflow, "overflow.npy"), "overflow.npy", "too large");
    }

    // ---------------------------------------------------------------------------------------------
    // Atomic writes

    @Test
    void aFailedWriteLeavesTheOldFileIntactAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("keep.npy");
        Npy.write(file, HostTensor.ofFloats(new long[] {1}, 42));
        byte[] before = Files.readAllBytes(file);
        assertFails(() -> AtomicFiles.write(file, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }), "keep.npy", "disk full");
        IllegalStateException bug = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(file, out -> {
            out.write(1);
            throw new IllegalStateException("a bug in the body");
        }));
        assertEquals("a bug in the body", bug.getMessage(), "the body's own exception is passed on");
        assertArrayEquals(before, Files.readAllBytes(file));
        assertArrayEquals(new float[] {42}, Npy.read(file).toFloatArray());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void atomicWritesCreateFoldersAndReplaceFiles() throws IOException {
        Path file = dir.resolve("a/b/c.npy");
        Npy.write(file, HostTensor.ofLongs(new long[] {2}, 1, 2));
        Npy.write(file, HostTensor.ofLongs(new long[] {3}, 3, 4, 5));
        assertArrayEquals(new long[] {3, 4, 5}, Npy.read(file).toLongArray());
        AtomicFiles.writeString(dir.resolve("a/note.txt"), "héllo");
        assertEquals("héllo", Files.readString(dir.resolve("a/note.txt")));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
        Path blocked = dir.resolve("a/note.txt/x.npy"); // a file where a folder must be
        assertFails(() -> Npy.write(blocked, HostTensor.ofLongs(new long[] {1}, 1)), "cannot write", "x.npy");
    }
}
