import BenchSupport
import ConvKit
import Testing

/// Tests of `Bench/BenchSupport/ConvolutionShapeParsing.swift`.
@Suite("Convolution problem parsing")
struct ConvolutionShapeParsingTests {
    @Test("the one-line description a failing test prints parses back to the same shape; malformed lines throw")
    func roundTrip() throws {
        let shapes = [
            try ConvolutionShape(
                batch: 2, inputHeight: 15, inputWidth: 15, inputChannels: 32, outputChannels: 64,
                descriptor: ConvolutionDescriptor(kernel: 3)),
            try ConvolutionShape(
                batch: 1, inputHeight: 7, inputWidth: 9, inputChannels: 6, outputChannels: 6,
                descriptor: ConvolutionDescriptor(
                    kernelHeight: 3, kernelWidth: 2, strideY: 2, strideX: 1,
                    dilationY: 1, dilationX: 2,
                    padding: .explicit(top: 1, bottom: 0, left: 2, right: 1), groups: 3)),
            try ConvolutionShape(
                batch: 3, inputHeight: 11, inputWidth: 9, inputChannels: 16, outputChannels: 64,
                descriptor: ConvolutionDescriptor(kernel: 3, stride: 2, padding: .same)),
        ]
        for shape in shapes {
            #expect(try ConvolutionShape(parsing: shape.description) == shape)
            #expect(try ConvolutionShape(parsing: shape.with(layout: .nchw).description) == shape.with(layout: .nchw))
        }
        #expect(throws: ConvKitError.self) { try ConvolutionShape(parsing: "n1 h4 w4 c3 k3") }
        #expect(throws: ConvKitError.self) { try ConvolutionShape(parsing: "n1 h4 w4 c3 o2 k3x3 explicit(1,2)") }
    }
}
