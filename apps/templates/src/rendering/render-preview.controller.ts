import { CallerDivisions, Divisions, PREVIEW_PERMISSION, RequirePermissions } from '@herald/auth';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsString, IsUUID } from 'class-validator';
import { RendererService } from './renderer.service';

export class SmsPreviewDto {
  @IsOptional() @IsUUID() templateId?: string;
  @IsOptional() @IsString() messageColumn?: string;
  /** Each contact's column values. */
  @IsArray() @ArrayMaxSize(5_000) @IsObject({ each: true }) contacts!: Record<string, string>[];
}

export class EmailPreviewDto {
  @IsUUID() templateId!: string;
  /** Each contact's column values. */
  @IsArray() @ArrayMaxSize(5_000) @IsObject({ each: true }) contacts!: Record<string, string>[];
}

/**
 * Internal (not routed by the edge): the render stage's outcome for a batch of contacts, without
 * publishing, for the pre-launch preview in campaigns. One outcome per contact, in order: for an
 * SMS its encoding and segments, for an email that it renders; or the failure reason (and the
 * unresolved variables, for an email also per part: subject, html, text). A template of a division
 * the caller does not hold renders as a missing one.
 */
@Controller('internal/rendering')
export class RenderPreviewController {
  constructor(private readonly renderer: RendererService) {}

  @Post('sms-preview')
  @RequirePermissions(PREVIEW_PERMISSION)
  @HttpCode(200)
  async preview(@Body() dto: SmsPreviewDto, @CallerDivisions() divisions: Divisions) {
    const outcomes = await this.renderer.previewSms(dto, dto.contacts, divisions);
    return {
      outcomes: outcomes.map((o) =>
        o.ok ? { ok: true, encoding: o.encoding, segments: o.segments } : { ok: false, reason: o.reason, detail: o.detail, missing: o.missing },
      ),
    };
  }

  @Post('email-preview')
  @RequirePermissions(PREVIEW_PERMISSION)
  @HttpCode(200)
  async previewEmail(@Body() dto: EmailPreviewDto, @CallerDivisions() divisions: Divisions) {
    const outcomes = await this.renderer.previewEmail(dto.templateId, dto.contacts, divisions);
    return {
      outcomes: outcomes.map((o) => (o.ok ? { ok: true } : { ok: false, reason: o.reason, detail: o.detail, missing: o.missing, missingIn: o.missingIn })),
    };
  }
}
