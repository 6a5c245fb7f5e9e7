/** A colour family per kind of operator, as Netron colours its nodes; the CSS maps each to a theme colour. */
export type OpCategory = "layer" | "activation" | "normalization" | "shape" | "math" | "reduce" | "control" | "constant" | "io" | "other";

const CATEGORY: Readonly<Record<string, OpCategory>> = {};
const put = (category: OpCategory, ops: string) => { for (const op of ops.split(" ")) (CATEGORY as Record<string, OpCategory>)[op] = category; };
put("layer", "Conv ConvTranspose ConvInteger MatMul MatMulInteger QLinearMatMul QLinearConv Gemm Einsum LSTM GRU RNN Attention MultiHeadAttention");
put("activation", "Relu LeakyRelu PRelu Elu Selu Celu Gelu FastGelu Sigmoid HardSigmoid HardSwish Tanh Softmax LogSoftmax Softplus Softsign Mish Swish ThresholdedRelu Erf");
put("normalization", "BatchNormalization LayerNormalization GroupNormalization InstanceNormalization LpNormalization SimplifiedLayerNormalization RMSNormalization SkipLayerNormalization Dropout");
put("shape", "Reshape Transpose Concat Split Slice Gather GatherElements GatherND Scatter ScatterElements ScatterND Squeeze Unsqueeze Flatten Expand Tile Pad Shape Size Identity Cast CastLike Resize DepthToSpace SpaceToDepth");
put("math", "Add Sub Mul Div Pow Sqrt Exp Log Abs Neg Reciprocal Floor Ceil Round Sign Min Max Mean Sum Where Equal Less LessOrEqual Greater GreaterOrEqual And Or Not Xor Mod Clip Sin Cos Tan");
put("reduce", "ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceSumSquare ArgMax ArgMin CumSum TopK MaxPool AveragePool GlobalAveragePool GlobalMaxPool");
put("control", "If Loop Scan SequenceMap");
put("constant", "Constant ConstantOfShape Range EyeLike RandomNormal RandomUniform RandomNormalLike RandomUniformLike");
put("io", "Input Output");

export function opCategory(op: string): OpCategory {
  return CATEGORY[op] ?? "other";
}
