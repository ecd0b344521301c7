package dev.jtune.nn.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Target matching as PEFT's check_target_module_exists, and the architectures' defaults. */
class TargetModulesTest {

    @Test
    void aListEntryMatchesTheWholeNameOrADotSuffixNeverASubstring() {
        TargetModules t = TargetModules.names(List.of("c_proj", "attn.c_attn"));
        assertTrue(t.matches("transformer.h.0.attn.c_proj"));
        assertTrue(t.matches("transformer.h.1.mlp.c_proj"));
        assertTrue(t.matches("c_proj"));
        assertTrue(t.matches("transformer.h.0.attn.c_attn"));
        assertFalse(t.matches("transformer.h.0.xattn.c_attn"));
        assertFalse(t.matches("transformer.h.0.attn.xc_proj"));
        assertFalse(t.matches("transformer.h.0.attn"));
    }

    @Test
    void aStringIsARegexOverTheWholeName() {
        TargetModules t = TargetModules.regex(".*h\\.1\\..*c_attn");
        assertTrue(t.matches("transformer.h.1.attn.c_attn"));
        assertFalse(t.matches("transformer.h.0.attn.c_attn"));
        assertFalse(TargetModules.regex("c_attn").matches("transformer.h.1.attn.c_attn"));
    }

    @Test
    void defaultsPerArchitecture() {
        PeftModel gpt2 = PeftModel.getPeftModel(TinyModels.gpt2(1), LoraConfig.builder().build());
        assertEquals(List.of("transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn"),
                List.copyOf(gpt2.loraLayers().keySet()));
        assertTrue(gpt2.peftConfig().fanInFanOut(), "Conv1D forces fan_in_fan_out");
        PeftModel llama = PeftModel.getPeftModel(TinyModels.llama(1, false), LoraConfig.builder().build());
        assertEquals(List.of("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj"), List.copyOf(llama.loraLayers().keySet()));
        assertFalse(llama.peftConfig().fanInFanOut());
        assertEquals(List.of("q_proj", "v_proj"), llama.peftConfig().targetModules().names());
    }

    @Test
    void allLinearTakesEveryLinearButTheOutputHeadAndIsSavedAsTheirNames() {
        PeftModel llama = PeftModel.getPeftModel(TinyModels.llama(1, false),
                LoraConfig.builder().targetModules("all-linear").build());
        assertEquals(14, llama.loraLayers().size());
        assertTrue(llama.loraLayers().keySet().stream().noneMatch(n -> n.startsWith("lm_head")));
        assertEquals(List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
                llama.peftConfig().targetModules().names());
        PeftModel gpt2 = PeftModel.getPeftModel(TinyModels.gpt2(1), LoraConfig.builder().targetModules("all-linear").build());
        assertEquals(List.of("c_attn", "c_proj", "c_fc"), gpt2.peftConfig().targetModules().names());
    }

    @Test
    void excludeModulesRemovesMatches() {
        PeftModel gpt2 = PeftModel.getPeftModel(TinyModels.gpt2(1), LoraConfig.builder().targetModules("c_proj")
                .excludeModules(TargetModules.names(List.of("mlp.c_proj"))).build());
        assertEquals(List.of("transformer.h.0.attn.c_proj", "transformer.h.1.attn.c_proj"),
                List.copyOf(gpt2.loraLayers().keySet()));
    }

    @Test
    void anUnknownTargetFailsListingTheModelsLinearLayersAndChangesNothing() {
        var model = TinyModels.gpt2(1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> PeftModel.getPeftModel(model, LoraConfig.builder().targetModules("q_proj").build()));
        assertTrue(e.getMessage().contains("[q_proj]") && e.getMessage().contains("[c_attn, c_fc, c_proj, lm_head]"),
                e.getMessage());
        assertTrue(model.parameters().stream().allMatch(dev.jtune.nn.Parameter::requiresGrad));
    }

    @Test
    void aTargetThatIsNotALinearLayerFails() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> PeftModel.getPeftModel(TinyModels.gpt2(1), LoraConfig.builder().targetModules("wte").build()));
        assertTrue(e.getMessage().contains("transformer.wte") && e.getMessage().contains("Embedding"), e.getMessage());
    }
}
