internal import ConvKitKernels

/// The operands of one SGEMM call as raw pointers with general strides:
/// `op(A)[i][p] = a[i * aRowStride + p * aColStride]`, `op(B)[p][j] = b[p * bRowStride + j * bColStride]`,
/// `C[i][j] = c[i * ldc + j]`. Sizes are validated before one is made.
struct GEMMOperands: @unchecked Sendable {
    let m: Int, n: Int, k: Int
    let alpha: Float, beta: Float
    let a: UnsafePointer<Float>, aRowStride: Int, aColStride: Int
    let b: UnsafePointer<Float>, bRowStride: Int, bColStride: Int
    let c: UnsafeMutablePointer<Float>, ldc: Int
    let bIsRowMajor: Bool
}

/// The BLIS-style SGEMM engine: five loops (jc over NC, pc over KC, ic over MC, jr over NR,
/// ir over MR) around a register-blocked C microkernel, with A and B packed into panels.
/// Loops 1 and 2 swap when the packed B block is small (``GEMMPlan/rowBandOrder``).
/// Each thread owns one macro-tile of C and runs the five loops on it with its own workspace;
/// the K loop is never split, so the result does not depend on the number of threads.
enum PackedGEMM {
    static func run(_ op: GEMMOperands, kernel: GEMMMicrokernel, threads: Int) {
        if op.m == 0 || op.n == 0 { return }
        if op.k == 0 || op.alpha == 0 {
            scale(op)
            return
        }
        let threads = Parallel.availableThreads(threads)
        if let split = SplitK(m: op.m, n: op.n, k: op.k) {
            runSplitK(op, split: split, kernel: kernel, threads: threads)
            return
        }
        let plan = GEMMPlan(
            m: op.m, n: op.n, k: op.k, aRowMajor: op.aColStride == 1, bIsRowMajor: op.bIsRowMajor,
            kernel: kernel, threads: threads)
        let parts = plan.rowParts * plan.colParts
        Parallel.forEach(parts, threads: parts) { part in
            let rows = plan.rows(part: part, m: op.m, mr: kernel.mr)
            let cols = plan.columns(part: part, n: op.n, nr: kernel.nr)
            if rows.isEmpty || cols.isEmpty { return }
            PackingWorkspace.withPooled { workspace in
                workspace.reserve(aCount: plan.rowMajorA ? 0 : plan.mc * plan.kc, bCount: plan.kc * plan.nc)
                macroTile(op, rows: rows, columns: cols, plan: plan, kernel: kernel, workspace: workspace)
            }
        }
    }

    /// Split-K: chunk `s` computes `op(A)[:, chunk] * op(B)[chunk, :]` into its own partial buffer
    /// (one thread per chunk, the five loops inside), then the partials are summed in ascending
    /// chunk order into C. Bitwise identical for any thread count.
    private static func runSplitK(_ op: GEMMOperands, split: SplitK, kernel: GEMMMicrokernel, threads: Int) {
        let plane = op.m * op.n
        PackingWorkspace.withPooled { owner in
            owner.reserve(partialsCount: split.count * plane)
            let partials = owner.partials
            Parallel.forEach(split.count, threads: threads) { s in
                let k0 = s * split.depth
                let depth = min(split.depth, op.k - k0)
                let chunk = GEMMOperands(
                    m: op.m, n: op.n, k: depth, alpha: 1, beta: 0,
                    a: op.a + k0 * op.aColStride, aRowStride: op.aRowStride, aColStride: op.aColStride,
                    b: op.b + k0 * op.bRowStride, bRowStride: op.bRowStride, bColStride: op.bColStride,
                    c: partials + s * plane, ldc: op.n, bIsRowMajor: op.bIsRowMajor)
                let plan = GEMMPlan(
                    m: op.m, n: op.n, k: depth, aRowMajor: op.aColStride == 1,
                    bIsRowMajor: op.bIsRowMajor, kernel: kernel, threads: 1)
                PackingWorkspace.withPooled { workspace in
                    workspace.reserve(aCount: plan.rowMajorA ? 0 : plan.mc * plan.kc, bCount: plan.kc * plan.nc)
                    macroTile(
                        chunk, rows: 0..<op.m, columns: 0..<op.n, plan: plan, kernel: kernel,
                        workspace: workspace)
                }
            }
            ck_f32_reduce_partials(op.m, op.n, partials, split.count, op.alpha, op.beta, op.c, op.ldc)
        }
    }

    /// `C := beta * C` (the whole answer when `alpha == 0` or `k == 0`); `beta == 0` writes zeros.
    static func scale(_ op: GEMMOperands) {
        if op.beta == 1 { return }
        for i in 0..<op.m {
            let row = op.c + i * op.ldc
            if op.beta == 0 {
                row.update(repeating: 0, count: op.n)
            } else {
                for j in 0..<op.n { row[j] *= op.beta }
            }
        }
    }

    private static func macroTile(
        _ op: GEMMOperands, rows: Range<Int>, columns: Range<Int>, plan: GEMMPlan,
        kernel: GEMMMicrokernel, workspace: PackingWorkspace
    ) {
        let mr = kernel.mr, nr = kernel.nr
        let rowMajorA = plan.rowMajorA
        let ukernel = rowMajorA ? kernel.rowMajorAFunction! : kernel.function
        let packedA = workspace.a, packedB = workspace.b
        var jc = columns.lowerBound
        while jc < columns.upperBound {  // loop 5: NC columns
            let nc = min(plan.nc, columns.upperBound - jc)
            // With unpacked B, full NR panels are read in place; only a partial last panel is packed.
            let inPlaceColumns = plan.unpackedB ? nc / nr * nr : 0
            var pc = 0
            while pc < op.k {  // loop 4: KC depth
                let kc = min(plan.kc, op.k - pc)
                let beta: Float = pc == 0 ? op.beta : 1
                let bBlock = op.b + pc * op.bRowStride + jc * op.bColStride
                if inPlaceColumns < nc {
                    kernel.packB(
                        kc, nc - inPlaceColumns, bBlock + inPlaceColumns * op.bColStride,
                        op.bRowStride, op.bColStride, nr, packedB)
                }
                var ic = rows.lowerBound
                while ic < rows.upperBound {  // loop 3: MC rows
                    let mc = min(plan.mc, rows.upperBound - ic)
                    // Packed A panels (a_kstride = MR), or the rows of a row-major A in place (lda).
                    let aBlock: UnsafePointer<Float>, aStride: Int
                    if rowMajorA {
                        aBlock = op.a + ic * op.aRowStride + pc
                        aStride = op.aRowStride
                    } else {
                        kernel.packA(
                            mc, kc, op.a + ic * op.aRowStride + pc * op.aColStride,
                            op.aRowStride, op.aColStride, mr, packedA)
                        aBlock = UnsafePointer(packedA)
                        aStride = mr
                    }
                    // The microkernel on the tile at rows ir, columns jr of this block.
                    func tile(_ ir: Int, _ jr: Int) {
                        let bPanel: UnsafePointer<Float>
                        let bStride: Int
                        if jr < inPlaceColumns {
                            bPanel = bBlock + jr * op.bColStride
                            bStride = op.bRowStride
                        } else {
                            bPanel = UnsafePointer(packedB + (jr - inPlaceColumns) * kc)
                            bStride = nr
                        }
                        let aTile = rowMajorA ? aBlock + ir * aStride : aBlock + ir * kc
                        ukernel(
                            min(mr, mc - ir), min(nr, nc - jr), kc, aTile, aStride, bPanel, bStride,
                            op.c + (ic + ir) * op.ldc + jc + jr, op.ldc, op.alpha, beta)
                    }
                    if plan.rowBandOrder {
                        for ir in stride(from: 0, to: mc, by: mr) {  // loop 1: MR rows
                            for jr in stride(from: 0, to: nc, by: nr) { tile(ir, jr) }  // loop 2: NR columns
                        }
                    } else {
                        for jr in stride(from: 0, to: nc, by: nr) {  // loop 2: NR columns
                            for ir in stride(from: 0, to: mc, by: mr) { tile(ir, jr) }  // loop 1: MR rows
                        }
                    }
                    ic += mc
                }
                pc += kc
            }
            jc += nc
        }
    }
}
