import ConvKit
import Testing

/// Tests of `Sources/ConvKit/GEMM/GEMMKernelRegistry.swift`.
@Suite("GEMMKernelRegistry")
struct GEMMKernelRegistryTests {
    @Test("kernels are ordered fastest ISA first and end in the portable kernel")
    func ordering() {
        let all = GEMMKernelRegistry.all
        #expect(all.last?.isa == .generic)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.isa > $1.isa })
        #if arch(x86_64)
        #expect(all.map(\.name) == ["f32_gemm_14x32__avx512", "f32_gemm_6x16__avx2", "f32_gemm_4x8__vec128"])
        #endif
    }

    @Test("names say dtype, op, tile and ISA; blocking sizes are consistent", arguments: GEMMKernelRegistry.all)
    func namesAndBlocking(kernel: GEMMMicrokernel) {
        #expect(kernel.name.hasPrefix("f32_gemm_\(kernel.mr)x\(kernel.nr)__"))
        let b = kernel.blocking
        #expect(b.mc % b.mr == 0 && b.nc % b.nr == 0 && b.kc > 0)
    }

    @Test("each available kernel's FMA loop runs and reports its work", arguments: GEMMKernelRegistry.available)
    func peakLoopRuns(kernel: GEMMMicrokernel) {
        #expect(kernel.runPeakLoop(iterations: 1000) > 0)
    }

    @Test("runTile follows the contract for every row count and edge column counts; beta == 0 ignores NaN; nothing outside m x n is touched",
          arguments: GEMMKernelRegistry.available)
    func runTileContract(kernel: GEMMMicrokernel) {
        let k = 7, ldc = kernel.nr + 3
        var generator = TestGenerator(seed: 5)
        let a = (0..<(k * kernel.mr)).map { _ in Float.random(in: -1...1, using: &generator) }
        let b = (0..<(k * kernel.nr)).map { _ in Float.random(in: -1...1, using: &generator) }
        for m in 1...kernel.mr {
            for n in Set([1, 2, kernel.nr / 2, kernel.nr / 2 + 1, kernel.nr - 1, kernel.nr]) {
                for beta in [Float(0), 0.5] {
                    var c = [Float](repeating: beta == 0 ? .nan : 2, count: (kernel.mr + 1) * ldc)
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            c.withUnsafeMutableBufferPointer { pc in
                                kernel.runTile(m: m, n: n, k: k, a: pa.baseAddress!, aStride: kernel.mr, b: pb.baseAddress!,
                                               bStride: kernel.nr, c: pc.baseAddress!, ldc: ldc, alpha: 1.5, beta: beta)
                            }
                        }
                    }
                    for i in 0...kernel.mr {
                        for j in 0..<ldc {
                            let value = c[i * ldc + j]
                            if i < m && j < n {
                                var sum = 0.0
                                for p in 0..<k { sum += Double(a[p * kernel.mr + i]) * Double(b[p * kernel.nr + j]) }
                                let expected = 1.5 * sum + (beta == 0 ? 0 : Double(beta) * 2)
                                #expect(abs(Double(value) - expected) <= 1e-5 * max(1, abs(expected)),
                                        "\(kernel.name) m \(m) n \(n) beta \(beta): C[\(i)][\(j)] = \(value), expected \(expected)")
                            } else {
                                #expect(value.isNaN == (beta == 0) && (beta == 0 || value == 2),
                                        "\(kernel.name) m \(m) n \(n): C[\(i)][\(j)] outside the tile changed to \(value)")
                            }
                        }
                    }
                }
            }
        }
    }
}
