import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Requires } from '#src/auth/roles.decorator.js';
import { ApiProblems } from '#src/common/http/api-problems.decorator.js';
import { DevicesService, type DeviceView } from './devices.service.js';
import {
  BindDeviceDto,
  BindingPageDto,
  BindingViewDto,
  CreateDeviceDto,
  DeviceIdParams,
  DevicePageDto,
  DeviceViewDto,
  UnbindDeviceDto,
  UpdateDeviceDto,
} from './dto/device.dto.js';
import type { DeviceBinding } from './fleet.types.js';
import { ListQueryDto, type Page } from '#src/common/http/pagination.js';
import { IF_MATCH, sendCreated, sendVersioned } from '#src/common/http/versioned-response.js';

@ApiTags('devices')
@Requires('viewer')
@Controller('devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Post()
  @Requires('planner')
  @ApiOperation({
    summary: 'Register a sensor (format, model, channel map); bind it with POST /devices/{id}/bind',
  })
  @ApiCreatedResponse({ type: DeviceViewDto, description: 'Created; `Location` and `ETag` headers set.' })
  @ApiProblems(400, 409)
  async create(
    @Body() body: CreateDeviceDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<DeviceView> {
    return sendCreated(res, '/api/v1/devices', body.id, await this.devices.create(body));
  }

  @Get()
  @ApiOperation({ summary: 'List devices, by id, with the container each is on now' })
  @ApiOkResponse({ type: DevicePageDto })
  @ApiProblems(400)
  list(@Query() query: ListQueryDto): Promise<Page<DeviceView>> {
    return this.devices.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A device and the container it is on now' })
  @ApiOkResponse({ type: DeviceViewDto })
  @ApiProblems(400, 404)
  async get(
    @Param() params: DeviceIdParams,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<DeviceView> {
    return sendVersioned(res, await this.devices.get(params.id));
  }

  @Patch(':id')
  @Requires('planner')
  @ApiOperation({
    summary: 'Change a device (`null` clears devEui, model, channelMap or lorawanApplication)',
  })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: DeviceViewDto })
  @ApiProblems(400, 404, 409, 412, 428)
  async update(
    @Param() params: DeviceIdParams,
    @Body() body: UpdateDeviceDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<DeviceView> {
    return sendVersioned(res, await this.devices.update(params.id, body, ifMatch));
  }

  @Delete(':id')
  @Requires('planner')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an unbound device and its binding history' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiHeader(IF_MATCH)
  @ApiProblems(400, 404, 409, 412, 428)
  delete(@Param() params: DeviceIdParams, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    return this.devices.delete(params.id, ifMatch);
  }

  @Post(':id/bind')
  @Requires('planner')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Put the device on a container from `at` (default now); readings measured from then go to it',
  })
  @ApiOkResponse({ type: BindingViewDto })
  @ApiProblems(400, 404, 409)
  bind(@Param() params: DeviceIdParams, @Body() body: BindDeviceDto): Promise<DeviceBinding> {
    return this.devices.bind(params.id, body);
  }

  @Post(':id/unbind')
  @Requires('planner')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take the device off its container at `at` (default now)' })
  @ApiOkResponse({ type: BindingViewDto })
  @ApiProblems(400, 404, 409)
  unbind(@Param() params: DeviceIdParams, @Body() body: UnbindDeviceDto): Promise<DeviceBinding> {
    return this.devices.unbind(params.id, body);
  }

  @Get(':id/bindings')
  @ApiOperation({ summary: "The device's binding history, oldest first" })
  @ApiOkResponse({ type: BindingPageDto })
  @ApiProblems(400, 404)
  bindings(@Param() params: DeviceIdParams, @Query() query: ListQueryDto): Promise<Page<DeviceBinding>> {
    return this.devices.bindings(params.id, query);
  }
}
